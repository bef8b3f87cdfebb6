// dlopen.c dlopens zlib at run time, and says so in a .note.dlopen note
// (the FDO "ELF dlopen metadata" systemd uses), so that a packer that
// reads notes can ship the library.
#include <dlfcn.h>
#include <stdio.h>

#define NOTE "[{\"feature\":\"zlib\",\"description\":\"compression\",\"priority\":\"required\",\"soname\":[\"libz.so.1\"]}]"

__attribute__((section(".note.dlopen"), used, aligned(4))) static const struct {
	unsigned namesz, descsz, type;
	char name[4];
	char desc[(sizeof(NOTE) + 3) & ~3];
} note = {4, sizeof(NOTE), 0x407c0c0a, "FDO", NOTE};

int main(void) {
	void *z = dlopen("libz.so.1", RTLD_NOW);
	if (!z) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	const char *(*version)(void) = (const char *(*)(void))dlsym(z, "zlibVersion");
	printf("dlopened zlib %s\n", version ? version() : "without zlibVersion");
	return 0;
}
