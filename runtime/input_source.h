// InputSource: where a kernel input's tensor comes from, which decides what
// the kernel may keep derived from it (a padded copy, packed panels) across
// runs. The plan finds it once per step (ExecutionPlan::Build).
#ifndef RILL_RUNTIME_INPUT_SOURCE_H_
#define RILL_RUNTIME_INPUT_SOURCE_H_

namespace rill {

enum class InputSource {
  // A Const's value or a folded one, not fed: the same tensor on every run.
  // Derived values are made once and kept.
  kConstant,
  // A variable's stored value (VariableV2, possibly through Identity), not
  // fed: the same buffer until the variable is written, and every write
  // stores a new buffer (runtime/variable_storage.h). Derived values are
  // kept and made again when the buffer changes.
  kVariable,
  // Fed or computed: may hold other values on every run, even in the same
  // buffer. Nothing derived is kept.
  kOther,
};

// Whether values derived from such an input may be kept across runs.
inline bool KeepsDerivedValues(InputSource source) { return source != InputSource::kOther; }

// The source of values made from two inputs: kept only as long as both are.
inline InputSource CombinedSource(InputSource a, InputSource b) {
  if (a == InputSource::kOther || b == InputSource::kOther) return InputSource::kOther;
  if (a == InputSource::kVariable || b == InputSource::kVariable) return InputSource::kVariable;
  return InputSource::kConstant;
}

}  // namespace rill

#endif  // RILL_RUNTIME_INPUT_SOURCE_H_
