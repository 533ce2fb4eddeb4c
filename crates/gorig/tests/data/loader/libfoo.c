/* libfoo.so.1: built with foo-v1.map (FOO_1: foo), with foo-v2.map
   (FOO_1: foo, FOO_2: foo2) or with no version script at all. */
int foo(void) { return 42; }
#ifdef WITH_FOO2
int foo2(void) { return 43; }
#endif
