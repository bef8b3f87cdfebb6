// cancel.c cancels a thread, for which glibc loads libgcc_s.so.1 at run
// time to unwind it ("libgcc_s.so.1 must be installed for pthread_cancel
// to work" otherwise).
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg) {
	for (;;)
		pause(); /* a cancellation point */
	return arg;
}

int main(void) {
	pthread_t t;
	void *result;
	pthread_create(&t, 0, worker, 0);
	pthread_cancel(t);
	pthread_join(t, &result);
	printf("cancelled: %s\n", result == PTHREAD_CANCELED ? "yes" : "no");
	return 0;
}
