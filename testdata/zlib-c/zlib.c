/* Needs libz.so.1: prints the zlib version the loader found. */
#include <stdio.h>
#include <zlib.h>

int main(void) {
	printf("zlib %s\n", zlibVersion());
	return 0;
}
