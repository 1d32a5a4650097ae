/* test_migmon.c - placeholder */
int main(void) { return 0; }
