# Run before every shell example of the README, in one bash per example.
set -euo pipefail
# Variables set by earlier examples (and the folder the section's went to) carry over, as in the
# terminal of a reader following the README; the EXIT trap saves them for the next example.
__felix_before="$(compgen -v | sort)"
cd "@SCRATCH@"
if [ -f "@STATE@" ]; then
  source "@STATE@"
fi
__felix_save() {
  {
    for v in $(comm -13 <(echo "$__felix_before") <(compgen -v | sort)); do
      case "$v" in
        __felix*|BASH*|PIPESTATUS|FUNCNAME|_|OLDPWD|PWD|COLUMNS|LINES) ;;
        *) declare -p "$v" ;;
      esac
    done
    printf 'cd %q\n' "$PWD"
  } >"@STATE@.new"
  printf '%s' "$PWD" >"@STATE@.cwd"
}
trap __felix_save EXIT
# Each curl reports its HTTP status on stderr, where the test checks it.
curl() { command curl -sS -w '%{stderr}curl-status %{http_code}\n' "$@"; }
# The examples run as the test's user; PGHOST, PGPORT and PGUSER name the test's PostgreSQL server.
sudo() { if [ "${1:-}" = -u ]; then shift 2; fi; "$@"; }
