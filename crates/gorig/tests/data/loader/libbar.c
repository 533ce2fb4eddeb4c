/* libbar.so.1: needs libfoo.so.1 and has no RPATH/RUNPATH of its own. */
int foo(void);
int bar(void) { return foo() + 1; }
