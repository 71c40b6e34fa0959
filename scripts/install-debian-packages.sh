#!/bin/sh
# Debian's packages that Quorum uses: graphviz (`dot` renders the diagrams), etcd-server and
# etcd-client (the real cluster of `quorum system etcd`), and chromium and chromium-driver (the
# browser the explorer's tests drive, headless). Installed when we may (root, or sudo);
# otherwise we say how. The etcd package's own service is not started (policy-rc.d): the harness
# starts its members itself, on free loopback ports.
need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
command -v etcd >/dev/null 2>&1 || need="$need etcd-server etcd-client"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
    policy=/usr/sbin/policy-rc.d
    if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod +x $policy; added=1; fi
    # shellcheck disable=SC2086 # $need is a list of package names
    ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null)
    status=$?
    [ -n "${added:-}" ] && $sudo rm -f $policy
    [ $status = 0 ] && exit 0
fi
echo "note: missing Debian packages:$need" >&2
echo "      graphviz draws the diagrams (without it they are written as .dot files only);" >&2
echo "      etcd-server and etcd-client run the real cluster of 'quorum system etcd' (its tests are skipped)." >&2
echo "      chromium and chromium-driver run the explorer's browser tests (skipped without them)." >&2
echo "      install them with: apt-get install$need" >&2
exit 0
