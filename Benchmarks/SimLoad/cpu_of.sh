#!/usr/bin/env bash
# Prints the CPU seconds (user+system) a process has used so far: cpu_of.sh PID
awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"
