# Sourced by eng/servers.sh and eng/tools.sh (which define log and die):
#   apt_install PACKAGE...   installs the packages with apt-get, without starting system-wide services.
apt_install() {
  [ $# -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing $*: run as root or install them with apt-get"
  log "installing $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # policy-rc.d 101 keeps the packages from trying to start system-wide services.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod +x $policy; created_policy=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  [ $created_policy -eq 1 ] && rm -f $policy
  return 0
}
