/*
 * t/fuzz/replay.c - stand-in libFuzzer driver: runs LLVMFuzzerTestOneInput
 * over every file named on the command line (directories are walked one
 * level). Used by `make check` to replay seed corpora with gcc builds.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char **argv);

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
	perror(path);
	return -1;
    }
    size_t cap = 4096, len = 0, n;
    unsigned char *data = malloc(cap);
    while (data && (n = fread(data + len, 1, cap - len, fp)) > 0) {
	len += n;
	if (len == cap)
	    data = realloc(data, cap *= 2);
    }
    fclose(fp);
    if (data == NULL)
	return -1;
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++) {
	struct stat st;
	if (stat(argv[i], &st) < 0) {
	    perror(argv[i]);
	    return 2;
	}
	if (!S_ISDIR(st.st_mode)) {
	    if (replay_file(argv[i]) < 0)
		return 2;
	    count++;
	    continue;
	}
	DIR *d = opendir(argv[i]);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
	    if (de->d_name[0] == '.')
		continue;
	    char path[4096];
	    snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
	    if (replay_file(path) < 0) {
		closedir(d);
		return 2;
	    }
	    count++;
	}
	if (d)
	    closedir(d);
    }
    printf("replayed %d inputs\n", count);
    return 0;
}
