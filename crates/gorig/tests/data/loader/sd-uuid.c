/* 3. libsystemd: sd_id128_to_uuid_string is LIBSYSTEMD_251 (bookworm's 252
   has it; bullseye's 247 does not). Declared here so no libsystemd-dev is
   needed: build.sh links against the bookworm root's libsystemd.so.0. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef union sd_id128 {
  uint8_t bytes[16];
  uint64_t qwords[2];
} sd_id128_t;

char *sd_id128_to_uuid_string(sd_id128_t id, char s[37]);

int main(void) {
  sd_id128_t id;
  char buf[37];
  for (int i = 0; i < 16; i++)
    id.bytes[i] = (uint8_t)(0x10 + i);
  sd_id128_to_uuid_string(id, buf);
  puts(buf);
  return strcmp(buf, "10111213-1415-1617-1819-1a1b1c1d1e1f") == 0 ? 0 : 1;
}
