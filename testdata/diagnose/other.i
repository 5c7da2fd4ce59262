# 0 "/tmp/build-a-7Kq2/other.c"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "/usr/include/stdc-predef.h" 1 3 4
# 0 "<command-line>" 2
# 1 "/tmp/build-a-7Kq2/other.c"
static const char *other = "/tmp/build-a-7Kq2/other.c";
int zero(void) { return 0; }
