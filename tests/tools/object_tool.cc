// object_tool: test-only driver for tests/tf_compat/test_object_checkpoint_tf.py.
// Builds C++ object trees that mirror the TensorFlow scenarios of
// tf_object_helper.py, saves or restores them and prints one JSON object:
// variable values as hex of their raw bytes (bit-exact comparison) and the
// outcome of each load-status assertion.
//
//   object_tool save <scenario> <prefix>      Save() (numbered) with deterministic values
//   object_tool restore <scenario> <path>     Restore() into zeroed objects
//   object_tool partial <case> <path> [expect_partial]
//
// Scenarios: modules, adam_v1, keras_adam. Partial cases: missing_in_ckpt,
// no_object, deferred, attribute.
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/variable.h"
#include "json_util.h"
#include "testing/tiny_adam.h"
#include "variable_hex.h"

namespace {

using namespace ckpt;

using ckpt_test_tools::Hex;
using ckpt_test_tools::JsonString;

std::string Outcome(const Status& s) { return s.ok() ? "ok" : "fail: " + s.message(); }

// Deterministic bit patterns: finite floats / doubles with varied mantissas
// and signs, arbitrary integers.
uint64_t g_state = 0x9E3779B97F4A7C15ull;
uint64_t Next() {
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return g_state;
}
void Fill(Variable& v) {
  if (v.dtype() == DType::kFloat) {
    for (float& f : v.flat<float>()) {
      uint32_t bits = static_cast<uint32_t>(Next());
      bits = (bits & 0x807FFFFFu) | (static_cast<uint32_t>(100 + Next() % 56) << 23);  // finite
      std::memcpy(&f, &bits, 4);
    }
  } else if (v.dtype() == DType::kInt64) {
    for (int64_t& x : v.flat<int64_t>()) x = static_cast<int64_t>(Next() % 1000000);
  }
}

// ---- scenario trees (mirroring tf_object_helper.py) ----

struct Named {
  std::map<std::string, Variable*> vars;  // logical name -> variable
};

// class Sub(tf.Module): w [2,3]
// class M(tf.Module): b [2] f32, a int64 scalar, lst=[v f32 scalar, tf.Module()],
//   dct={"z": f32 scalar, "a.b/c": f32 [2]}, sub=Sub(), shared=b, late [2] (TF only
//   at save time; the C++ restore attaches it after restore)
// Checkpoint(model=M, extra=f32 [3])
struct ModulesScenario : Named {
  Module model, sub, list_module;
  TrackableList lst;
  TrackableMap dct;
  Variable b{DType::kFloat, TensorShape{2}, "b"};
  Variable a{DType::kInt64, TensorShape{}, "a"};
  Variable l0{DType::kFloat, TensorShape{}, "l0"};
  Variable z{DType::kFloat, TensorShape{}, "z"};
  Variable abc{DType::kFloat, TensorShape{2}, "abc"};
  Variable w{DType::kFloat, TensorShape{2, 3}, "w"};
  Variable late{DType::kFloat, TensorShape{2}, "late"};
  Variable extra{DType::kFloat, TensorShape{3}, "extra"};
  std::unique_ptr<Checkpoint> ck;

  explicit ModulesScenario(bool with_late) {
    model.Track("b", b).IgnoreError();
    model.Track("a", a).IgnoreError();
    lst.Append(l0).IgnoreError();
    lst.Append(list_module).IgnoreError();
    model.Track("lst", lst).IgnoreError();
    dct.Set("z", z).IgnoreError();
    dct.Set("a.b/c", abc).IgnoreError();
    model.Track("dct", dct).IgnoreError();
    sub.Track("w", w).IgnoreError();
    model.Track("sub", sub).IgnoreError();
    model.Track("shared", b).IgnoreError();
    if (with_late) model.Track("late", late).IgnoreError();
    ck = std::make_unique<Checkpoint>(std::vector<std::pair<std::string, Trackable*>>{{"model", &model}, {"extra", &extra}});
    vars = {{"model.b", &b},       {"model.a", &a},     {"model.lst.0", &l0}, {"model.dct.z", &z},
            {"model.dct.a.b/c", &abc}, {"model.sub.w", &w}, {"model.late", &late}, {"extra", &extra}};
  }
  Status AttachLate() { return model.Track("late", late); }
};

// TF1 AdamOptimizer over two variables: Checkpoint(var1=, var2=, optimizer=)
struct AdamV1Scenario : Named {
  Variable var1{DType::kFloat, TensorShape{2}, "Variable"};
  Variable var2{DType::kFloat, TensorShape{3}, "Variable_1"};
  test::TinyAdam opt;
  std::unique_ptr<Checkpoint> ck;
  explicit AdamV1Scenario(bool create_slots_first) {
    ck = std::make_unique<Checkpoint>(
        std::vector<std::pair<std::string, Trackable*>>{{"var1", &var1}, {"var2", &var2}, {"optimizer", &opt}});
    vars = {{"var1", &var1}, {"var2", &var2}, {"opt.beta1_power", &opt.beta1_power},
            {"opt.beta2_power", &opt.beta2_power}};
    if (create_slots_first) CreateSlots().IgnoreError();
  }
  Status CreateSlots() {
    for (auto [name, v] : {std::pair<const char*, Variable*>{"var1", &var1}, {"var2", &var2}}) {
      for (const char* s : {"m", "v"}) {
        auto slot = opt.CreateSlot(*v, s);
        if (!slot.ok()) return slot.status();
        vars[std::string("slot.") + name + "." + s] = *slot;
      }
    }
    return OkStatus();
  }
};

// Keras 3 Sequential([Input(3), Dense(2), Dense(1)]) + Adam, as TF 2.21
// saves them: model/_functional/_operations/<i>/{_kernel,bias};
// optimizer/{_variables, _trainable_variables, _iterations,
// _learning_rate, _momentums, _velocities}.
struct Dense : Module {
  Variable kernel, bias;
  Dense(int64_t in, int64_t out)
      : kernel(DType::kFloat, TensorShape{in, out}), bias(DType::kFloat, TensorShape{out}) {
    Track("_kernel", kernel).IgnoreError();
    Track("bias", bias).IgnoreError();
  }
};

struct KerasAdamScenario : Named {
  Module model, functional, input_layer, optimizer;
  TrackableList operations, variables, trainable, momentums, velocities;
  Dense d0{3, 2}, d1{2, 1};
  Variable iterations{DType::kInt64, TensorShape{}, "adam/iteration"};
  Variable learning_rate{DType::kFloat, TensorShape{}, "adam/learning_rate"};
  std::vector<std::unique_ptr<Variable>> m, v;
  std::unique_ptr<Checkpoint> ck;
  KerasAdamScenario() {
    operations.Append(input_layer).IgnoreError();
    operations.Append(d0).IgnoreError();
    operations.Append(d1).IgnoreError();
    functional.Track("_operations", operations).IgnoreError();
    model.Track("_functional", functional).IgnoreError();
    Variable* model_vars[] = {&d0.kernel, &d0.bias, &d1.kernel, &d1.bias};
    variables.Append(iterations).IgnoreError();
    variables.Append(learning_rate).IgnoreError();
    for (int i = 0; i < 4; ++i) {
      m.push_back(std::make_unique<Variable>(model_vars[i]->dtype(), model_vars[i]->shape()));
      v.push_back(std::make_unique<Variable>(model_vars[i]->dtype(), model_vars[i]->shape()));
      variables.Append(*m.back()).IgnoreError();
      variables.Append(*v.back()).IgnoreError();
      trainable.Append(*model_vars[i]).IgnoreError();
      momentums.Append(*m.back()).IgnoreError();
      velocities.Append(*v.back()).IgnoreError();
    }
    optimizer.Track("_variables", variables).IgnoreError();
    optimizer.Track("_trainable_variables", trainable).IgnoreError();
    optimizer.Track("_iterations", iterations).IgnoreError();
    optimizer.Track("_learning_rate", learning_rate).IgnoreError();
    optimizer.Track("_momentums", momentums).IgnoreError();
    optimizer.Track("_velocities", velocities).IgnoreError();
    ck = std::make_unique<Checkpoint>(
        std::vector<std::pair<std::string, Trackable*>>{{"model", &model}, {"optimizer", &optimizer}});
    const char* mv[] = {"k0", "b0", "k1", "b1"};
    for (int i = 0; i < 4; ++i) vars[std::string("model.") + mv[i]] = model_vars[i];
    vars["opt.var0"] = &iterations;
    vars["opt.var1"] = &learning_rate;
    for (int i = 0; i < 4; ++i) {
      vars["opt.var" + std::to_string(2 + 2 * i)] = m[i].get();
      vars["opt.var" + std::to_string(3 + 2 * i)] = v[i].get();
    }
  }
};

void PrintValues(const Named& n, std::string& out) {
  out += "\"values\": {";
  bool first = true;
  for (const auto& [name, var] : n.vars) {
    if (!first) out += ", ";
    first = false;
    out += JsonString(name) + ": " + JsonString(Hex(*var));
  }
  out += "}";
}

void PrintAssertions(const LoadStatus& st, std::string& out, const std::string& suffix = "") {
  out += "\"assert_consumed" + suffix + "\": " + JsonString(Outcome(st.AssertConsumed())) + ", ";
  out += "\"assert_existing_objects_matched" + suffix + "\": " +
         JsonString(Outcome(st.AssertExistingObjectsMatched())) + ", ";
  out += "\"assert_nontrivial_match" + suffix + "\": " + JsonString(Outcome(st.AssertNontrivialMatch()));
}

int Fail(const Status& s) {
  std::printf("{\"error\": %s}\n", JsonString(s.ToString()).c_str());
  return 1;
}

template <typename S>
int SaveScenario(S& s, const std::string& prefix) {
  for (auto& [name, var] : s.vars) Fill(*var);
  auto path = s.ck->Save(prefix);
  if (!path.ok()) return Fail(path.status());
  std::string out = "{\"path\": " + JsonString(*path) + ", ";
  PrintValues(s, out);
  std::printf("%s}\n", out.c_str());
  return 0;
}

int Save(const std::string& scenario, const std::string& prefix) {
  if (scenario == "modules") {
    ModulesScenario s(true);
    return SaveScenario(s, prefix);
  }
  if (scenario == "adam_v1") {
    AdamV1Scenario s(true);
    return SaveScenario(s, prefix);
  }
  if (scenario == "keras_adam") {
    KerasAdamScenario s;
    return SaveScenario(s, prefix);
  }
  return Fail(InvalidArgumentError("unknown scenario " + scenario));
}

int Restore(const std::string& scenario, const std::string& path) {
  std::string out = "{";
  if (scenario == "modules") {
    // `late` is attached after the restore (restore-on-create).
    ModulesScenario s(false);
    auto st = s.ck->Restore(path);
    if (!st.ok()) return Fail(st.status());
    out += "\"assert_consumed_before_late\": " + JsonString(Outcome(st->AssertConsumed())) + ", ";
    Status late = s.AttachLate();
    if (!late.ok()) return Fail(late);
    PrintAssertions(*st, out);
    out += ", \"save_counter\": " + std::to_string(s.ck->save_counter().flat<int64_t>()[0]) + ", ";
    PrintValues(s, out);
  } else if (scenario == "adam_v1") {
    // Slots of var1 exist before the restore; those of var2 are created
    // after it (deferred slot restoration).
    AdamV1Scenario s(false);
    for (const char* slot : {"m", "v"}) {
      auto r = s.opt.CreateSlot(s.var1, slot);
      if (!r.ok()) return Fail(r.status());
    }
    auto st = s.ck->Restore(path);
    if (!st.ok()) return Fail(st.status());
    out += "\"assert_consumed_before_slots\": " + JsonString(Outcome(st->AssertConsumed())) + ", ";
    Status c = s.CreateSlots();
    if (!c.ok()) return Fail(c);
    PrintAssertions(*st, out);
    out += ", ";
    PrintValues(s, out);
  } else if (scenario == "keras_adam") {
    // TF wrote this one with write(): no save_counter, so read() (CK-12).
    KerasAdamScenario s;
    auto st = s.ck->Read(path);
    if (!st.ok()) return Fail(st.status());
    PrintAssertions(*st, out);
    out += ", ";
    PrintValues(s, out);
  } else {
    return Fail(InvalidArgumentError("unknown scenario " + scenario));
  }
  std::printf("%s}\n", out.c_str());
  return 0;
}

// The TF side (tf_object_helper.py) saved Checkpoint(a=[1,2], b=[3]) with write().
int Partial(const std::string& which, const std::string& path, bool expect_partial) {
  Variable a(DType::kFloat, TensorShape{2}), b(DType::kFloat, TensorShape{1}), c(DType::kFloat, TensorShape{1});
  Module not_a_variable;
  std::vector<std::pair<std::string, Trackable*>> roots;
  if (which == "missing_in_ckpt") {
    roots = {{"a", &a}, {"b", &b}, {"c", &c}};
  } else if (which == "no_object" || which == "deferred") {
    roots = {{"a", &a}};
  } else if (which == "attribute") {
    roots = {{"a", &not_a_variable}, {"b", &b}};
  } else {
    return Fail(InvalidArgumentError("unknown case " + which));
  }
  std::string out = "{";
  {
    Checkpoint ck(roots);
    auto st = ck.Read(path);
    if (!st.ok()) return Fail(st.status());
    PrintAssertions(*st, out);
    if (which == "deferred") {
      // b created after the restore: `ckpt.b = tf.Variable(...)` in TF.
      Status t = ck.root().Track("b", b);
      if (!t.ok()) return Fail(t);
      out += ", ";
      PrintAssertions(*st, out, "_after_attach");
      char buf[64];
      std::snprintf(buf, sizeof(buf), ", \"b_after_attach\": %g", static_cast<double>(b.flat<float>()[0]));
      out += buf;
    }
    if (expect_partial) st->ExpectPartial();
  }
  std::printf("%s}\n", out.c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: object_tool save|restore|partial <scenario> <path> [expect_partial]\n");
    return 2;
  }
  const std::string cmd = argv[1], what = argv[2], path = argv[3];
  if (cmd == "save") return Save(what, path);
  if (cmd == "restore") return Restore(what, path);
  if (cmd == "partial") return Partial(what, path, argc > 4 && std::string(argv[4]) == "expect_partial");
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
