# A private apt repository and a scratch dpkg root, so that package
# operations run the real apt-get/dpkg without touching the machine's own
# package set.  Source after tests/lib/tap.sh.
#
#   apt_repo_init DIR             repository DIR/repo, scratch root DIR/root, apt dirs
#   apt_repo_build DIR VERSION    the package lamon-test-pkg VERSION into the repository
#   apt_repo_agent_conf DIR       agent.conf lines pointing apt_get at them
#   apt_repo_status DIR           "install ok installed VERSION" from the scratch admindir
apt_repo_init() {
    local r=$1 admin=$1/root/var/lib/dpkg
    mkdir -p "$r/repo" "$admin/updates" "$admin/info" "$r/state/lists/partial" "$r/cache/archives/partial" \
        "$r/etc/apt/apt.conf.d" "$r/etc/apt/preferences.d" "$r/etc/apt/sources.list.d"
    touch "$admin/status" "$admin/available"
    echo "deb [trusted=yes] file:$r/repo ./" >"$r/etc/apt/sources.list"
}

apt_repo_build() {
    local r=$1 v=$2 d=$1/build-$2
    mkdir -p "$d/DEBIAN" "$d/usr/share/lamon-test-pkg"
    printf '%s\n' "Package: lamon-test-pkg" "Version: $v" "Architecture: all" \
        "Maintainer: lamon tests <root@localhost>" "Description: lamon control test package" \
        " Installed by the lamon tests into a scratch root." >"$d/DEBIAN/control"
    echo "version $v" >"$d/usr/share/lamon-test-pkg/version"
    dpkg-deb --root-owner-group --build "$d" "$r/repo/lamon-test-pkg_${v}_all.deb" >/dev/null &&
        (cd "$r/repo" && dpkg-scanpackages -m . /dev/null 2>/dev/null >Packages && gzip -kf Packages)
}

apt_repo_agent_conf() {
    local r=$1 admin=$1/root/var/lib/dpkg
    cat <<CONF
apt_get /usr/bin/apt-get
apt_option -o Dir::Etc=$r/etc/apt -o Dir::Etc::sourceparts=$r/etc/apt/sources.list.d
apt_option -o Dir::State=$r/state -o Dir::Cache=$r/cache -o Dir::State::status=$admin/status
apt_option -o Debug::NoLocking=1 -o APT::Sandbox::User=root
apt_option -o DPkg::Options::=--root=$r/root -o DPkg::Options::=--admindir=$admin
apt_option -o DPkg::Options::=--force-not-root -o DPkg::Options::=--force-script-chrootless
CONF
}

apt_repo_status() {
    dpkg-query --admindir="$1/root/var/lib/dpkg" -W -f='${Status} ${Version}' lamon-test-pkg 2>/dev/null
}
