Debian GNU/Linux 13 "Trixie" - Official Snapshot amd64 LIVE Binary 20261203-10:12
