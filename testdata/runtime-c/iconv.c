// iconv.c converts Latin-1 to UTF-8 with iconv, which glibc does with a
// gconv module it loads at run time.
#include <iconv.h>
#include <stdio.h>
#include <string.h>

int main(void) {
	iconv_t cd = iconv_open("UTF-8", "ISO-8859-1");
	if (cd == (iconv_t)-1) {
		perror("iconv_open");
		return 1;
	}
	char in[] = "caf\xe9", out[16] = {0};
	char *ip = in, *op = out;
	size_t il = strlen(in), ol = sizeof out - 1;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		perror("iconv");
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
