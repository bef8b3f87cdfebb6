// fake-libc.c is a stand-in libc.so.6 for tests that need a dynamic
// program's closure to be the same bytes on every machine: it defines the
// symbol versions the checked-in glibc programs need, and nothing works.
int puts(const char *s) { return 0; }
void __cxa_finalize(void *d) {}
int __libc_start_main(void) { return 0; }
