// Needs libstdc++ and libgcc_s: prints through iostream.
#include <iostream>
#include <string>

int main() {
	std::string s = "hello from C++";
	std::cout << s << std::endl;
	return 0;
}
