/* conv converts its second argument (default 中文) from UTF-8 to the
 * charset its first names (default EUC-CN) and prints the bytes in hex:
 * the gconv tests compare its output in an image with the host's. */
#include <iconv.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
	const char *to = argc > 1 ? argv[1] : "EUC-CN";
	char *in = argc > 2 ? argv[2] : "\xe4\xb8\xad\xe6\x96\x87";
	iconv_t cd = iconv_open(to, "UTF-8");
	if (cd == (iconv_t)-1) { perror("iconv_open"); return 1; }
	char out[256], *ip = in, *op = out;
	size_t il = strlen(in), ol = sizeof out;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) { perror("iconv"); return 1; }
	for (char *p = out; p < op; p++) printf("%02x", (unsigned char)*p);
	printf("\n");
	return 0;
}
