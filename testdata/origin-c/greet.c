/* libgreet.so.1, found by its program through RUNPATH $ORIGIN/../lib. */
const char *greet(void) { return "hello from $ORIGIN/../lib"; }
