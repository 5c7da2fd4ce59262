static const char *source_file = "/build/foo-1.0-b/where.c";
static const char *greeting = "hello";
int answer(void) { return 42; }
