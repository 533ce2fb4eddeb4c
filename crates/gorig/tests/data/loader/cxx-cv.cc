/* 2. C++ with <iostream> and std::condition_variable::wait: GCC 12 links
   wait(unique_lock&) to its new GLIBCXX_3.4.30 version, which bullseye's
   libstdc++ (GCC 10, up to GLIBCXX_3.4.28) lacks. */
#include <condition_variable>
#include <iostream>
#include <mutex>

int main(int argc, char **) {
  std::mutex m;
  std::condition_variable cv;
  volatile bool ready = argc > 0;
  std::unique_lock<std::mutex> lock(m);
  while (!ready)
    cv.wait(lock);
  std::cout << "hello from C++" << std::endl;
  return 0;
}
