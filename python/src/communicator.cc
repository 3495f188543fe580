// ckpt._ckpt._Communicator: the C++ Communicator over a Python one
// (ckpt.distributed: mpi4py or torch.distributed), so that a save in C++ can
// run its collectives through the transport the Python job already has. The
// wheel links no MPI: the transport is the Python object's.
//
// Each collective takes the GIL for the duration of the Python call (C++
// saves call it with the GIL released, possibly from the async writer
// thread); the Python side polls its non-blocking collective with short
// sleeps, during which other Python threads run.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ckpt/distributed.h"

namespace ckpt_py {
namespace {

using namespace nb::literals;

class PyCommunicator final : public ckpt::Communicator {
 public:
  // Holds `impl` weakly: the Python communicator owns this object (its
  // _native), and a strong reference back would be a cycle the garbage
  // collector cannot see through C++.
  explicit PyCommunicator(nb::object impl)
      : impl_ref_(nb::module_::import_("weakref").attr("ref")(impl)),
        rank_(nb::cast<int>(impl.attr("rank"))),
        size_(nb::cast<int>(impl.attr("size"))),
        point_to_point_(nb::hasattr(impl, "send") && nb::hasattr(impl, "recv")) {}
  ~PyCommunicator() override {
    nb::gil_scoped_acquire gil;
    impl_ref_.reset();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  ckpt::Result<std::vector<std::string>> AllGather(std::string_view mine, ckpt::Deadline deadline) override {
    std::vector<std::string> out;
    ckpt::Status s = Call([&] {
      nb::object got = Impl().attr("allgather")(nb::bytes(mine.data(), mine.size()), Timeout(deadline));
      for (nb::handle item : got) {
        nb::bytes b = nb::cast<nb::bytes>(item);
        out.emplace_back(b.c_str(), b.size());
      }
    });
    if (!s.ok()) return s;
    return out;
  }

  ckpt::Result<std::string> Broadcast(std::string_view bytes, int root, ckpt::Deadline deadline) override {
    std::string out;
    ckpt::Status s = Call([&] {
      nb::object got = Impl().attr("broadcast")(nb::bytes(bytes.data(), bytes.size()), root, Timeout(deadline));
      nb::bytes b = nb::cast<nb::bytes>(got);
      out.assign(b.c_str(), b.size());
    });
    if (!s.ok()) return s;
    return out;
  }

  ckpt::Status Barrier(ckpt::Deadline deadline) override {
    return Call([&] { Impl().attr("barrier")(Timeout(deadline)); });
  }

  void Abort(std::string_view reason) override {
    Call([&] { Impl().attr("abort")(std::string(reason)); }).IgnoreError();
  }

  // The Python side knows (mpi4py: its thread level); asked on the caller's
  // thread, before an async save stages anything.
  ckpt::Status CheckBackgroundCollectives() const override {
    auto* self = const_cast<PyCommunicator*>(this);  // Call takes the GIL; nothing of this object changes
    return self->Call([&] { self->Impl().attr("_check_background_collectives")(); });
  }

  // Point-to-point (saves with an io rank): the Python object's send/recv,
  // when it has them (a user's own transport may not: Unimplemented).
  bool SupportsPointToPoint() const override { return point_to_point_; }

  ckpt::Status Send(std::string_view bytes, int dest, ckpt::Deadline deadline) override {
    if (!point_to_point_) return ckpt::Communicator::Send(bytes, dest, deadline);
    return Call([&] { Impl().attr("send")(nb::bytes(bytes.data(), bytes.size()), dest, Timeout(deadline)); });
  }

  ckpt::Result<std::string> Recv(int src, ckpt::Deadline deadline) override {
    if (!point_to_point_) return ckpt::Communicator::Recv(src, deadline);
    std::string out;
    ckpt::Status s = Call([&] {
      nb::bytes b = nb::cast<nb::bytes>(Impl().attr("recv")(src, Timeout(deadline)));
      out.assign(b.c_str(), b.size());
    });
    if (!s.ok()) return s;
    return out;
  }

 private:
  static std::optional<double> Timeout(ckpt::Deadline deadline) {
    if (deadline == ckpt::kNoDeadline) return std::nullopt;
    const auto left = deadline - std::chrono::steady_clock::now();
    return std::max(0.0, std::chrono::duration<double>(left).count());
  }

  // Runs fn with the GIL; a Python exception becomes a Status: a ckpt.errors
  // exception keeps its code, anything else is Unavailable (the transport failed).
  // The Python communicator (GIL held); raises if it is gone.
  nb::object Impl() {
    nb::object impl = impl_ref_();
    if (impl.is_none()) throw nb::value_error("the ckpt.distributed communicator was garbage-collected");
    return impl;
  }

  template <typename F>
  ckpt::Status Call(F fn) {
    nb::gil_scoped_acquire gil;
    try {
      fn();
      return ckpt::OkStatus();
    } catch (nb::python_error& e) {
      nb::object value = nb::borrow(e.value());
      nb::object code = nb::getattr(value, "error_code", nb::none());
      const std::string message = nb::cast<std::string>(nb::str(value));
      if (!code.is_none()) return ckpt::Status(static_cast<ckpt::StatusCode>(nb::cast<int>(code)), message);
      return ckpt::UnavailableError("rank " + std::to_string(rank_) + ": " + message);
    } catch (const std::exception& e) {
      return ckpt::UnavailableError("rank " + std::to_string(rank_) + ": " + e.what());
    }
  }

  nb::object impl_ref_;  // weakref.ref to the Python communicator
  const int rank_, size_;
  const bool point_to_point_;
};

// Seconds from now (None: no deadline; 0 or less: already passed).
ckpt::Deadline Deadline(std::optional<double> timeout) {
  if (!timeout) return ckpt::kNoDeadline;
  if (*timeout > 1e9) return ckpt::kNoDeadline;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(*timeout));
}

}  // namespace

ckpt::Communicator* NativeCommunicator(nb::handle py_communicator) {
  nb::object native = py_communicator.attr("_native_communicator")();
  return &nb::cast<PyCommunicator&>(native);
}

void RegisterCommunicator(nb::module_& m) {
  // A function, not a constant: the generated stub (_ckpt.pyi) stays the same either way.
  m.def("_has_distributed_checkpoint", &HasDistributedCheckpoint,
        "Whether CheckpointOptions(communicator=...) can save from several processes in this build.");
  // The C++ calls release the GIL, as a save would: the Python transport
  // is then entered from C++ exactly as during a distributed save.
  nb::class_<PyCommunicator>(m, "_Communicator")
      .def(nb::init<nb::object>(), "impl"_a)
      .def_prop_ro("rank", &PyCommunicator::rank)
      .def_prop_ro("size", &PyCommunicator::size)
      .def("allgather",
           [](PyCommunicator& c, nb::bytes data, std::optional<double> timeout) {
             ckpt::Result<std::vector<std::string>> r = ckpt::InternalError("not run");
             {
               nb::gil_scoped_release release;
               r = c.AllGather(std::string_view(data.c_str(), data.size()), Deadline(timeout));
             }
             std::vector<nb::bytes> out;
             for (const std::string& s : ValueOrThrow(std::move(r))) out.emplace_back(s.data(), s.size());
             return out;
           },
           "data"_a, "timeout"_a = nb::none())
      .def("broadcast",
           [](PyCommunicator& c, nb::bytes data, int root, std::optional<double> timeout) {
             ckpt::Result<std::string> r = ckpt::InternalError("not run");
             {
               nb::gil_scoped_release release;
               r = c.Broadcast(std::string_view(data.c_str(), data.size()), root, Deadline(timeout));
             }
             std::string s = ValueOrThrow(std::move(r));
             return nb::bytes(s.data(), s.size());
           },
           "data"_a, "root"_a, "timeout"_a = nb::none())
      .def("barrier",
           [](PyCommunicator& c, std::optional<double> timeout) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = c.Barrier(Deadline(timeout));
             }
             ThrowIfError(s);
           },
           "timeout"_a = nb::none())
      .def("send",
           [](PyCommunicator& c, nb::bytes data, int dest, std::optional<double> timeout) {
             ckpt::Status s;
             {
               nb::gil_scoped_release release;
               s = c.Send(std::string_view(data.c_str(), data.size()), dest, Deadline(timeout));
             }
             ThrowIfError(s);
           },
           "data"_a, "dest"_a, "timeout"_a = nb::none())
      .def("recv",
           [](PyCommunicator& c, int src, std::optional<double> timeout) {
             ckpt::Result<std::string> r = ckpt::InternalError("not run");
             {
               nb::gil_scoped_release release;
               r = c.Recv(src, Deadline(timeout));
             }
             std::string s = ValueOrThrow(std::move(r));
             return nb::bytes(s.data(), s.size());
           },
           "src"_a, "timeout"_a = nb::none());
}

}  // namespace ckpt_py
