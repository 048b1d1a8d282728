# The SCIM peers, sourced by bench/scim/run.sh and bench/writes/run.sh: PyPI scim2-server
# under gunicorn (one worker: its storage is in memory) and npm scimmy on express. The
# caller defines TOOLS, WORK, TOKEN, PIDS, free_port and wait_for; start_* set BASE and AUTH.
SCIM_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

install_peers() {
    # Tools: a venv with scim2-server, gunicorn and httpx2; node modules for scimmy.
    mkdir -p "$TOOLS"
    [ -x "$TOOLS/py/bin/python" ] || python3 -m venv "$TOOLS/py"
    "$TOOLS/py/bin/python" -c 'import scim2_server, gunicorn, httpx2' 2>/dev/null || \
        "$TOOLS/py/bin/pip" install --quiet "scim2-server==0.8.3" "gunicorn==27.0.1" "httpx2"
    if [ ! -d "$TOOLS/node/node_modules/scimmy-routers" ]; then
        mkdir -p "$TOOLS/node" && (cd "$TOOLS/node" && npm init -y >/dev/null &&
            npm install --silent scimmy@1.3.5 scimmy-routers@1.3.2 express@5)
    fi
    cp "$SCIM_BENCH_DIR/scimmy_server.mjs" "$TOOLS/node/"
}

start_scim2_server() {
    local port; port="$(free_port)"
    (cd "$SCIM_BENCH_DIR" && BENCH_TOKEN="$TOKEN" exec "$TOOLS/py/bin/gunicorn" -w 1 -b "127.0.0.1:$port" \
        --log-level warning scim2_server_app:app >"$WORK/scim2.log" 2>&1) &
    PIDS+=($!)
    BASE="http://127.0.0.1:$port/v2"; AUTH="$TOKEN"
    wait_for "$BASE/ServiceProviderConfig"
}
start_scimmy() {
    local port; port="$(free_port)"
    (cd "$TOOLS/node" && exec node scimmy_server.mjs "$port" "$TOKEN" >"$WORK/scimmy.log" 2>&1) &
    PIDS+=($!)
    BASE="http://127.0.0.1:$port/scim/v2"; AUTH="$TOKEN"
    wait_for "$BASE/ServiceProviderConfig"
}
