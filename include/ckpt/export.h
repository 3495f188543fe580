// CKPT_EXPORT marks the public symbols of libckpt. The library is built with
// hidden visibility so that it can share a process with TensorFlow (which
// carries its own copies of protobuf, leveldb and crc code) without clashes.
#pragma once

#if defined(CKPT_STATIC_DEFINE)
#define CKPT_EXPORT
#elif defined(_WIN32)
#define CKPT_EXPORT __declspec(dllexport)
#else
#define CKPT_EXPORT [[gnu::visibility("default")]]
#endif
