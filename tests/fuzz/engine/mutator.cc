// Mutator, Interesting, Below (engine/mutator.h).
#include "engine/mutator.h"

#include <algorithm>
#include <iterator>

#include "base/coding.h"

namespace ckpt::fuzz {
namespace {

const uint64_t kInteresting[] = {0,
                                 1,
                                 2,
                                 4,
                                 8,
                                 16,
                                 0x3f,
                                 0x40,
                                 0x7f,
                                 0x80,
                                 0xff,
                                 0x100,
                                 0x7fff,
                                 0x8000,
                                 0xffff,
                                 0x10000,
                                 0x7fffffff,
                                 0x80000000,
                                 0xfffffffe,
                                 0xffffffff,
                                 0x100000000ull,
                                 0x1fffffffffffffull,
                                 0x4000000000000000ull,
                                 0x7fffffffffffffffull,
                                 0x8000000000000000ull,
                                 0xfffffffffffffffeull,
                                 0xffffffffffffffffull};

}  // namespace

uint64_t Interesting(Rng& rng) {
  uint64_t v = kInteresting[rng() % std::size(kInteresting)];
  switch (rng() % 4) {
    case 0: return ~v + 1;  // negated
    case 1: return v + (rng() % 3) - 1;
    default: return v;
  }
}

size_t Below(Rng& rng, size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); }

void Mutator::Mutate(std::string* s, Rng& rng, const std::vector<std::string>& corpus) const {
  const int rounds = 1 + static_cast<int>(Below(rng, 6));
  for (int r = 0; r < rounds; ++r) MutateOnce(s, rng, corpus);
  if (s->size() > max_len) s->resize(max_len);
}

void Mutator::MutateOnce(std::string* s, Rng& rng, const std::vector<std::string>& corpus) const {
  const size_t n = s->size();
  switch (Below(rng, 17)) {
    case 0:  // flip a bit
      if (n) (*s)[Below(rng, n)] ^= static_cast<char>(1u << Below(rng, 8));
      break;
    case 1:  // random byte
      if (n) (*s)[Below(rng, n)] = static_cast<char>(rng());
      break;
    case 2: {  // interesting byte
      static const unsigned char b[] = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20};
      if (n) (*s)[Below(rng, n)] = static_cast<char>(b[Below(rng, sizeof(b))]);
      break;
    }
    case 3:  // small add/sub
      if (n) (*s)[Below(rng, n)] += static_cast<char>(static_cast<int>(Below(rng, 35)) - 17);
      break;
    case 4: {  // overwrite 4-byte LE interesting int
      if (n >= 4) {
        coding::EncodeFixed32(s->data() + Below(rng, n - 3), static_cast<uint32_t>(Interesting(rng)));
      }
      break;
    }
    case 5: {  // overwrite 8-byte LE interesting int
      if (n >= 8) {
        coding::EncodeFixed64(s->data() + Below(rng, n - 7), Interesting(rng));
      }
      break;
    }
    case 6: {  // insert or overwrite a varint of an interesting value
      std::string v;
      coding::PutVarint64(&v, Interesting(rng));
      const size_t pos = Below(rng, n + 1);
      if (rng() & 1) {
        s->insert(pos, v);
      } else {
        s->replace(pos, std::min(v.size(), n - pos), v);
      }
      break;
    }
    case 7: {  // erase a range
      if (n) {
        const size_t pos = Below(rng, n);
        s->erase(pos, 1 + Below(rng, std::min<size_t>(n - pos, 64)));
      }
      break;
    }
    case 8: {  // insert random bytes
      std::string v(1 + Below(rng, 16), '\0');
      for (char& c : v) c = static_cast<char>(rng());
      s->insert(Below(rng, n + 1), v);
      break;
    }
    case 9: {  // duplicate a range (insert a copy elsewhere)
      if (n) {
        const size_t pos = Below(rng, n);
        const std::string piece = s->substr(pos, 1 + Below(rng, std::min<size_t>(n - pos, 128)));
        s->insert(Below(rng, n + 1), piece);
      }
      break;
    }
    case 10: {  // copy a range over another
      if (n >= 2) {
        const size_t from = Below(rng, n), to = Below(rng, n);
        const size_t len = 1 + Below(rng, std::min({n - from, n - to, size_t{64}}));
        const std::string piece = s->substr(from, len);
        s->replace(to, len, piece);
      }
      break;
    }
    case 11:  // truncate
      if (n) s->resize(Below(rng, n));
      break;
    case 12: {  // append bytes
      const size_t k = 1 + Below(rng, 32);
      for (size_t i = 0; i < k; ++i) s->push_back(static_cast<char>(rng()));
      break;
    }
    case 13:  // dictionary token
      if (!dict.empty()) {
        const std::string& tok = dict[Below(rng, dict.size())];
        const size_t pos = Below(rng, n + 1);
        if (rng() & 1) s->insert(pos, tok);
        else s->replace(pos, std::min(tok.size(), n - pos), tok);
      }
      break;
    case 14:  // splice with another input
      if (!corpus.empty()) {
        const std::string& o = corpus[Below(rng, corpus.size())];
        const size_t a = Below(rng, n + 1), b = Below(rng, o.size() + 1);
        *s = s->substr(0, a) + o.substr(b);
      }
      break;
    case 15: {  // shuffle a few bytes
      if (n >= 2) {
        const size_t pos = Below(rng, n - 1);
        const size_t len = 2 + Below(rng, std::min<size_t>(n - pos - 1, 8));
        std::shuffle(s->begin() + static_cast<std::ptrdiff_t>(pos),
                     s->begin() + static_cast<std::ptrdiff_t>(std::min(n, pos + len)), rng);
      }
      break;
    }
    case 16: {  // set a length-sized value: the input size +- 1
      if (n >= 4) {
        coding::EncodeFixed32(s->data() + Below(rng, n - 3), static_cast<uint32_t>(n + Below(rng, 3) - 1));
      }
      break;
    }
  }
}

}  // namespace ckpt::fuzz
