// fake-libc.c is a stand-in libc.so.6 for tests that need a dynamic
// program's closure to be the same bytes on every machine: it defines the
// symbols, with their versions, that the checked-in glibc programs need,
// and none of them works.
int puts(const char *s) { return 0; }
int putchar(int c) { return c; }
int printf(const char *f, ...) { return 0; }
void __cxa_finalize(void *d) {}
int __libc_start_main(void) { return 0; }
