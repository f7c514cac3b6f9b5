# Helpers for the dashboard tests (sourced after tests/lib/tap.sh and snmpd.sh).
#
#   start_agent_with_app NAME      snmpd + lamon-agent with one application
#                                  NAME on $APP_PORT (sets APP_PORT, APP_INDEX)
#   hold_connections N             listens on $APP_PORT and holds N
#                                  established connections until the test ends
#   snmpval OID                    the bare value of one object (v2c), e.g. 42


start_agent_with_app() {
    APP_PORT=$(free_tcp_port)
    # lamonAppTable is indexed by IMPLIED lamonAppName: the name's octets.
    APP_INDEX=$(printf '%s' "$1" | od -An -tu1 -v | tr -s ' \n' '.' | sed 's/^\.//; s/\.$//')
    mkdir -p "$T/state"
    cat >"$T/agent.conf" <<CONF
nodename dash-node
statedir $T/state
app $1 $APP_PORT
CONF
    [ -x "$AGENT_BIN" ] || { echo "# $AGENT_BIN is not built (make BUILD=$BUILD)"; return 1; }
    start_snmpd && start_agent "$T/agent.conf"
}

# A real listener and real clients on loopback, so that the agent's
# sock_diag counts are something other than 0.
hold_connections() {
    python3 - "$APP_PORT" "$1" >"$T/holder.log" 2>&1 <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(n + 4)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
accepted = [srv.accept()[0] for _ in range(n)]
print("holding", len(accepted), flush=True)
time.sleep(600)   # killed by the test's cleanup long before
PY
    LAMON_PIDS="${LAMON_PIDS:-} $!"
    wait_for 10 grep -q holding "$T/holder.log"
}

snmpval() {
    snmp snmpget -Oqv -OU -On "$1" 2>/dev/null
}

# --- a private Cacti on a private MariaDB (see t_cacti.sh for what each step proves)
#   cacti_setup        MariaDB in $T/db (socket only), Cacti's schema, a copy of
#                      /usr/share/cacti in $C pointing at it, no automation network,
#                      log in $LOG; sets DB, C, LOG; returns 1 on any failure
#   sql QUERY          runs QUERY in the cacti database (tab-separated, no header)
#   cacti_import FILE  import_template.php FILE; fails on [fail], Unmet or a DB error
sql() { mariadb --socket="$DB/sock" -uroot -N -B cacti -e "$1"; }

cacti_setup() {
    DB=$T/db C=$T/cacti
    mkdir -p "$DB"
    timeout 300 mariadb-install-db --user=root --datadir="$DB/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$DB/install.log" 2>&1 || { cat "$DB/install.log"; return 1; }
    /usr/sbin/mariadbd --no-defaults --user=root --datadir="$DB/data" --socket="$DB/sock" \
        --skip-networking --pid-file="$DB/pid" --log-error="$DB/err.log" \
        --innodb-buffer-pool-size=32M --innodb-log-file-size=16M >/dev/null 2>&1 &
    LAMON_PIDS="${LAMON_PIDS:-} $!"
    wait_for 120 mariadb --socket="$DB/sock" -uroot -e 'SELECT 1' || { cat "$DB/err.log"; return 1; }
    mariadb --socket="$DB/sock" -uroot -e "CREATE DATABASE cacti DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE USER cactiuser@localhost IDENTIFIED BY 'cactitest'; GRANT ALL ON cacti.* TO cactiuser@localhost;" || return 1
    local schema=/usr/share/doc/cacti/cacti.sql
    [ -f "$schema" ] || schema=/usr/share/dbconfig-common/data/cacti/install/mysql
    timeout 900 mariadb --socket="$DB/sock" -uroot cacti <"$schema" || return 1
    # Cacti's sample data has an enabled automation network (192.168.1.0/24)
    # that poller.php would scan: tests send traffic to loopback only.
    sql "DELETE FROM automation_networks; DELETE FROM automation_snmp_items; UPDATE settings SET value='' WHERE name IN ('automation_enabled','reports_enabled')" || return 1
    [ "$(sql 'SELECT COUNT(*) FROM automation_networks')" = 0 ] || return 1
    cp -a /usr/share/cacti "$C"
    rm -f "$C/site/include/config.php" "$C/site/rra" "$C/site/log" "$C/site/cache"
    mkdir -p "$C/site/rra" "$C/site/log" "$C/site/cache"
    cat >"$C/site/include/config.php" <<PHP
<?php
\$database_type = 'mysql';
\$database_default = 'cacti';
\$database_hostname = '$DB/sock';
\$database_username = 'cactiuser';
\$database_password = 'cactitest';
\$database_port = '3306';
\$database_retries = 2;
\$database_ssl = false;
\$database_ssl_key = '';
\$database_ssl_cert = '';
\$database_ssl_ca = '';
\$database_persist = false;
\$poller_id = 1;
\$url_path = '/cacti/';
\$cacti_session_name = 'Cacti';
\$cacti_db_session = false;
\$disable_log_rotation = true;
PHP
    LOG=$C/site/log/cacti.log
    sql "UPDATE settings SET value='$LOG' WHERE name='path_cactilog'" || return 1
    : >"$LOG"
}

cacti_import() {
    local out rc
    out=$(timeout 300 php "$C/cli/import_template.php" --filename="$1" 2>&1); rc=$?
    printf '%s\n' "$out"
    [ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '\[success\]' &&
        ! printf '%s' "$out" | grep -Eiq '\[fail\]|unmet' &&
        ! grep -Eq 'DBCALL ERROR|SQL Save' "$LOG"
}
