# 0 "/tmp/build-b-Xw9P/where.c"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "/usr/include/stdc-predef.h" 1 3 4
# 0 "<command-line>" 2
# 1 "/tmp/build-b-Xw9P/where.c"
static const char *source_file = "/tmp/build-b-Xw9P/where.c";
static const char *greeting = "hello";
int answer(void) { return 42; }
