# CMake flags of the sanitizer trees, shared by scripts/test.sh (asan-build, tsan-build) and
# scripts/stress.sh --long (the concurrency stress under TSan). Sourced, not run.
# -O1 with line tables is enough for readable reports and compiles much faster than -O2 -g.
SAN_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
           -DCKPT_BUILD_BENCH=OFF -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_EXAMPLES=OFF -DCKPT_BUILD_PYTHON=OFF
           -DCKPT_WITH_MPI=OFF)  # the mpirun tests run in the ctest stage (Open MPI itself is not sanitizer-clean)
# The TSan tree compiles only the unit tests of the concurrent code: async, api, manager,
# distributed, io (the writer and reader helper threads), and tests/unit/manager_* (the crash
# tests and the concurrency stress test).
TSAN_FLAGS=("${SAN_FLAGS[@]}" -DCKPT_SANITIZE=thread -DCKPT_BUILD_FUZZ=OFF
            "-DCKPT_UNIT_TEST_FILTER=/src/(async|api|manager|distributed|io)/|/tests/unit/manager_")
# halt_on_error: the first race fails the run; second_deadlock_stack: both stacks of a lock-order cycle.
TSAN_RUN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
