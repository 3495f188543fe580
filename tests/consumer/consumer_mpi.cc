// Built against the installed ckpt::mpi component: every rank contributes its
// rank to an AllGather over MpiCommunicator and checks what it gets back.
// ckpt/mpi.h is not in the umbrella header (it needs <mpi.h>): included on its own.
#include <ckpt/ckpt.h>
#include <ckpt/mpi.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int rc = 0;
  {
    ckpt::MpiCommunicator comm(MPI_COMM_WORLD);
    auto all = comm.AllGather(std::to_string(comm.rank()), ckpt::DeadlineAfter(std::chrono::seconds(60)));
    if (!all.ok() || static_cast<int>(all->size()) != comm.size()) {
      std::fprintf(stderr, "consumer_mpi: AllGather failed: %s\n", all.status().ToString().c_str());
      rc = 1;
    } else {
      for (int r = 0; r < comm.size(); ++r) rc |= (*all)[static_cast<size_t>(r)] != std::to_string(r);
    }
    if (rc == 0 && comm.rank() == 0) {
      std::printf("consumer_mpi: find_package(ckpt COMPONENTS mpi) %s build gathered from %d ranks OK\n",
                  CKPT_VERSION_STRING, comm.size());
    }
  }
  MPI_Finalize();
  return rc;
}
