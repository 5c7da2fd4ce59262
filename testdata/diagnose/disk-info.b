Debian GNU/Linux 12 "Bookworm" - Official amd64 LIVE Binary 20231115-22:13
