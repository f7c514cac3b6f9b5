/* cmocka tests of the web console's text safety: the HTML escaper and
 * the path-segment encoder (controller/html_text.c) and which asset names
 * /static/ serves, with which type (controller/http_static.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../controller/html_text.h"
#include "../../controller/http_static.h"

#include <stdlib.h>
#include <string.h>

/* What FN appends for S, as a string the caller frees. */
static char *render(void (*fn)(struct evbuffer *, const char *), const char *s)
{
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    fn(b, s);
    size_t n = evbuffer_get_length(b);
    char *out = malloc(n + 1);
    assert_non_null(out);
    evbuffer_remove(b, out, n);
    out[n] = '\0';
    evbuffer_free(b);
    return out;
}

static void expect_text(const char *in, const char *want)
{
    char *got = render(html_text, in);
    assert_string_equal(got, want);
    free(got);
}

static void test_escapes_markup(void **state)
{
    (void)state;
    expect_text("<i id=\"x\">a&b</i>", "&lt;i id=&quot;x&quot;&gt;a&amp;b&lt;/i&gt;");
    expect_text("it's", "it&#39;s");
    expect_text("&amp;", "&amp;amp;");           /* escaped once more, never taken as an entity */
    expect_text("\"><script>alert(1)</script>", "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
}

static void test_plain_text_unchanged(void **state)
{
    (void)state;
    expect_text("", "");
    expect_text("node1", "node1");
    expect_text("2026-01-01T00:00:00Z node node1: up (load 0.12)", "2026-01-01T00:00:00Z node node1: up (load 0.12)");
    expect_text("<", "&lt;");                    /* at the start and at the end */
    expect_text("a>", "a&gt;");
    struct evbuffer *b = evbuffer_new();
    html_text(b, NULL);                          /* NULL: nothing */
    assert_int_equal(evbuffer_get_length(b), 0);
    evbuffer_free(b);
}

static void test_url_segment(void **state)
{
    (void)state;
    char *got = render(html_url_seg, "node-1.a_b~");
    assert_string_equal(got, "node-1.a_b~");
    free(got);
    got = render(html_url_seg, "a/b c<\"&'%");
    assert_string_equal(got, "a%2Fb%20c%3C%22%26%27%25");
    free(got);
    got = render(html_url_seg, "\xc3\xa9");
    assert_string_equal(got, "%C3%A9");
    free(got);
}

static void test_asset_names(void **state)
{
    (void)state;
    assert_true(asset_name_ok("lamon.js"));
    assert_true(asset_name_ok("lamon.css"));
    assert_true(asset_name_ok("logo-2_x.png"));
    assert_false(asset_name_ok(""));
    assert_false(asset_name_ok("."));
    assert_false(asset_name_ok(".."));
    assert_false(asset_name_ok("../etc/passwd"));
    assert_false(asset_name_ok("a/b.js"));
    assert_false(asset_name_ok("..css"));
    assert_false(asset_name_ok("a..b.js"));
    assert_false(asset_name_ok(".hidden.css"));
    assert_false(asset_name_ok("Lamon.js"));     /* lower case only */
    assert_false(asset_name_ok("lamon.js\\"));
    assert_false(asset_name_ok("lamon js"));
    assert_false(asset_name_ok("lamon.js%00"));
    char longname[ASSET_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_false(asset_name_ok(longname));
    longname[ASSET_NAME_MAX] = '\0';
    assert_true(asset_name_ok(longname));
}

static void test_asset_types(void **state)
{
    (void)state;
    assert_string_equal(asset_type("lamon.js"), "text/javascript; charset=utf-8");
    assert_string_equal(asset_type("lamon.css"), "text/css; charset=utf-8");
    assert_string_equal(asset_type("x.png"), "image/png");
    assert_string_equal(asset_type("x.svg"), "image/svg+xml");
    assert_null(asset_type("index.html"));        /* pages come from the server, never from disk */
    assert_null(asset_type("notes.md"));
    assert_null(asset_type("lamon"));
    assert_null(asset_type("lamon.js.bak"));
    assert_null(asset_type("x.JS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes_markup),
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_url_segment),
        cmocka_unit_test(test_asset_names),
        cmocka_unit_test(test_asset_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
