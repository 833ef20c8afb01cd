// Advances the training counters at the end of every step, on the GPU, so the executor can record
// many steps into one command buffer without writing anything from the CPU in between.
//   train_state[0]: global step (counts completed optimizer steps; indexes lr_table, dropout streams)
//   train_state[1]: step within the current epoch (indexes this epoch's shuffled order)

@group(0) @binding(0) var<storage, read_write> train_state: array<u32>;

// One thread does all the work; the constant exists only so the table can describe it.
override WG: u32 = 1u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x != 0u) { return; }
  train_state[0] = train_state[0] + 1u;
  train_state[1] = train_state[1] + 1u;
}
