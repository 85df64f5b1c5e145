#!/usr/bin/env bash
# Installs what the end-to-end harness needs, idempotently:
#   - Debian packages: chromium (driven by playwright-core), ripgrep (VS Code's search),
#     and the headers code-server's native modules build against;
#   - code-server, per shared/E2E-RECIPE.md, into a cache folder keyed by its version,
#     outside the repo: ${CT_E2E_CACHE:-$HOME/.cache/circuit-thermometer-e2e}/code-server-<version>.
#
# A marker file is written as the very last step, so an install that was interrupted
# half-way is wiped and redone on the next run. A warm run only checks and returns.
# Concurrent runs are serialised with flock on the cache folder.
#
# Prints the code-server folder as the last line of stdout ("CODE_SERVER_DIR=...").
#
# Checked against shared/E2E-RECIPE.md on this machine kind (Debian 12, Node 20.20, npm 11):
# its steps work as written. What it left out, handled here or in harness.ts:
#   - `apt-get update` is needed first on a fresh machine (empty package lists); it is run
#     only when a package is missing, so a warm run never touches the network.
#   - npm run in a folder without package.json may climb to a parent project: the cache
#     folder gets its own package.json.
#   - kerberos' prebuild-install tries GitHub first ("getaddrinfo ENOTFOUND github.com") and
#     falls back to node-gyp: the warning is expected offline. node-gyp builds against the
#     headers that ~/.npmrc's nodedir points at (set on this machine kind).
#   - code-server writes ~/.config/code-server/config.yaml (with a password) and
#     ~/.local/share/code-server/ unless told otherwise; harness.ts passes --config and
#     XDG_* folders inside its throwaway root. Chromium's crash reporter writes
#     ~/.config/chromium likewise, also redirected.
#   - Every bare workbench logs two 404s for vsda (a proprietary module code-server does
#     not ship): harness.ts lists them as known console noise.
#   - Extension commands reach the palette only once the remote extension host has
#     registered them (seconds after `.monaco-workbench` shows on a loaded 2-core
#     machine) and an open palette does not refresh: runCommand retries, bounded.
#
# Timings measured here (2 cores): cold 123 s on a quiet machine (apt 24 s, code-server 99 s,
# of which `npm rebuild` of lib/vscode's native modules 69 s); 305 s for the code-server part
# alone with other jobs loading both cores. Warm (cached): about 0.1 s.
set -euo pipefail

CS_VERSION="${CT_CODE_SERVER_VERSION:-4.100.3}"
CACHE="${CT_E2E_CACHE:-$HOME/.cache/circuit-thermometer-e2e}"
DIR="$CACHE/code-server-$CS_VERSION"
MARKER="$DIR/.install-complete"
APT_PACKAGES=(chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config)

T0=$(date +%s)
step_t=$T0
log() { echo "[setup-harness] $*" >&2; }
lap() {
  local now; now=$(date +%s)
  log "$1 took $((now - step_t))s (total $((now - T0))s)"
  step_t=$now
}

# ---- 1. Debian packages -------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (not root: install them with apt-get)"; exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  lap "apt-get install"
else
  log "Debian packages present"
fi
[[ -x /usr/bin/chromium ]] || { log "/usr/bin/chromium missing after install"; exit 1; }
[[ -x /usr/bin/rg ]] || { log "/usr/bin/rg missing after install"; exit 1; }

# ---- 2. code-server, cached by version ---------------------------------------------
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -w 1800 9; then log "timed out waiting for another setup-harness run"; exit 1; fi

if [[ -f "$MARKER" && -f "$DIR/node_modules/code-server/out/node/entry.js" ]]; then
  log "code-server $CS_VERSION cached at $DIR"
  lap "check"
  echo "CODE_SERVER_DIR=$DIR"
  exit 0
fi

log "installing code-server $CS_VERSION into $DIR (not cached, or a previous install did not finish)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
# Give npm a project root here, else it may climb to a parent folder.
cat > package.json <<'EOF'
{ "name": "ct-e2e-code-server-cache", "private": true, "version": "0.0.0" }
EOF

# Keep npm quiet. (~/.npmrc here says yes=false; the recipe's npm_config_yes=true on the
# rebuild step below lets install scripts that call npx proceed without a prompt.)
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export npm_config_loglevel="${npm_config_loglevel:-warn}"

npm install --no-save --ignore-scripts "code-server@$CS_VERSION"
lap "npm install code-server"

npm rebuild argon2
lap "npm rebuild argon2"

CS="$DIR/node_modules/code-server"
cd "$CS/lib/vscode"
npm install --omit=dev --ignore-scripts
lap "npm install (lib/vscode)"

# @vscode/ripgrep's postinstall downloads rg from the internet; with bin/ present it does not.
mkdir -p node_modules/@vscode/ripgrep/bin
cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg

npm_config_yes=true npm rebuild --foreground-scripts
lap "npm rebuild (lib/vscode native modules)"

ln -sfn node_modules node_modules.asar

cd extensions
npm install --omit=dev --ignore-scripts
lap "npm install (lib/vscode/extensions)"

# Sanity check: the server answers --version. (Any code-server start writes a config.yaml
# and logs under XDG folders: point those at a scratch folder, not at $HOME.)
scratch=$(mktemp -d)
XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" node "$CS/out/node/entry.js" --version >/dev/null
rm -rf "$scratch"
lap "code-server --version"

date -u +%FT%TZ > "$MARKER"
log "code-server $CS_VERSION installed in $(( $(date +%s) - T0 ))s"
echo "CODE_SERVER_DIR=$DIR"
