#define _GNU_SOURCE
#include "CLinuxProcess.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

int memvault_allowed_cpu_count(void) {
    cpu_set_t allowed;
    return sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed) : 0;
}

struct thread_start {
    void (*body)(void *);
    void *argument;
    cpu_set_t allowed;
};

static void *thread_trampoline(void *raw) {
    struct thread_start start = *(struct thread_start *)raw;
    free(raw);
    // Running on another CPU now: every CPU the process may use is allowed again.
    pthread_setaffinity_np(pthread_self(), sizeof start.allowed, &start.allowed);
    start.body(start.argument);
    return NULL;
}

int memvault_start_thread_elsewhere(void (*body)(void *), void *argument) {
    struct thread_start *start = malloc(sizeof *start);
    if (start == NULL) return ENOMEM;
    start->body = body;
    start->argument = argument;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0) {
        cpu_set_t elsewhere = start->allowed;
        int current = sched_getcpu();
        if (current >= 0 && current < CPU_SETSIZE && CPU_ISSET(current, &elsewhere) && CPU_COUNT(&elsewhere) > 1) {
            CPU_CLR(current, &elsewhere);
            pthread_attr_setaffinity_np(&attributes, sizeof elsewhere, &elsewhere);
        }
    } else {
        CPU_ZERO(&start->allowed);
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) CPU_SET(cpu, &start->allowed);
    }
    pthread_t thread;
    int result = pthread_create(&thread, &attributes, thread_trampoline, start);
    pthread_attr_destroy(&attributes);
    if (result != 0) free(start);
    return result;
}
