// The whole public API of ckpt in one include:
//
//   #include <ckpt/ckpt.h>
//
// Each header below can also be included on its own; they state their
// contracts (what each call does, its errors, threading and ownership).
// A unit test (tests/unit/public_headers_test.cc) keeps this list equal to
// the headers in include/ckpt/, except those of optional components, which
// need a dependency the core library does not have and are included on
// their own: ckpt/mpi.h (MpiCommunicator, CMake target ckpt::mpi).
#pragma once

#include "ckpt/bundle.h"              // BundleWriter / BundleReader: TF's V2 checkpoint files
#include "ckpt/checkpoint.h"          // Checkpoint: tf.train.Checkpoint
#include "ckpt/checkpoint_manager.h"  // CheckpointManager: tf.train.CheckpointManager
#include "ckpt/checkpoint_reader.h"   // CheckpointReader: any V1 or V2 checkpoint, tf.train.load_checkpoint
#include "ckpt/checkpoint_state.h"    // the `checkpoint` state file, LatestCheckpoint
#include "ckpt/convert.h"             // other tensor file formats: safetensors, npz, conversion
#include "ckpt/diff.h"                // comparing two checkpoints
#include "ckpt/distributed.h"         // Communicator: one checkpoint from many processes
#include "ckpt/dtype.h"               // DType: TF's DataType
#include "ckpt/export.h"              // CKPT_EXPORT
#include "ckpt/file_system.h"         // FileSystem: where files are read and written
#include "ckpt/object_graph.h"        // the object graph of an object-based checkpoint
#include "ckpt/saver.h"               // Saver: tf.compat.v1.train.Saver
#include "ckpt/sharded_variable.h"     // ShardedVariable: this process's blocks of a partitioned tensor
#include "ckpt/sharding.h"            // sharding callbacks: MaxShardSizePolicy, ShardByTaskPolicy
#include "ckpt/status.h"              // Status, Result<T>
#include "ckpt/status_macros.h"       // CKPT_RETURN_IF_ERROR, CKPT_ASSIGN_OR_RETURN
#include "ckpt/tensor.h"              // Tensor, TensorView, TensorShape
#include "ckpt/tensor_slice.h"        // TensorSlice: a part of a partitioned tensor
#include "ckpt/tensor_source.h"       // TensorSource: reading safetensors, npz or a checkpoint alike
#include "ckpt/trackable.h"           // Trackable: objects in an object graph
#include "ckpt/utf8.h"                // UTF-8 validation and decoding
#include "ckpt/variable.h"            // Variable, Module, SlotOptimizer
#include "ckpt/version.h"             // CKPT_VERSION_*
