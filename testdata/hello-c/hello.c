/* A sample program for scratchpack's demo and tests: prints a greeting and
 * its arguments. */
#include <stdio.h>

int main(int argc, char **argv) {
	printf("hello from C");
	for (int i = 1; i < argc; i++)
		printf("%s%s", i == 1 ? " args=" : ",", argv[i]);
	printf("\n");
	return 0;
}
