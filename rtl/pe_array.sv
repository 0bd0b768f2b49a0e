// arraysim RTL systolic array: ROWS x COLS processing elements, signed IN_W-bit operands,
// ACC_W-bit wrap-around accumulators. Cycle-identical to the SystemC model
// arraysim::hw::SystolicArray (sim/hw/pe_array.hpp); the port protocol, a timing diagram and the
// latency contract are in rtl/README.md, the cycle formulas in docs/timing.md.
//
// One rising clock edge is one array cycle. Plain synchronous logic: no delays, no reset tree
// (the `clear` input starts a cycle from all-zero registers), no X-dependent behaviour.
//
// Registers of PE(i, j) (row i = 0 at the top, column j = 0 at the left):
//   a_q    streamed operand, moves one PE right per cycle (column 0 takes `left`)
//   v_q    vertical operand: OS `b`, moves one PE down every cycle (row 0 takes `top`);
//          WS/IS stationary `w`, moves down only during a load (row i shifts in load cycles L+i..L+R-1)
//   acc_q  OS: the accumulator (shifts down during a drain); WS/IS: the partial sum (moves down)
//   av_q, vv_q, pv_q  valid bits travelling with a_q, v_q and acc_q (WS/IS: av_q stops at the
//                     first PE whose stationary value is not valid, the fold's last used column)
//
// FAULT_ROW/FAULT_COL (test aid, default -1 = none): PE(FAULT_ROW, FAULT_COL) multiplies the
// streamed operand it held in the previous cycle instead of the one entering it this cycle, i.e.
// its multiplier input is one cycle late. `arraysim cosim` must report it (tests/rtl).
module pe_array #(
    parameter int ROWS      = 4,
    parameter int COLS      = 4,
    parameter int IN_W      = 8,
    parameter int ACC_W     = 32,
    parameter int FAULT_ROW = -1,
    parameter int FAULT_COL = -1
) (
    input  logic                  clk,
    input  logic                  clear,         // this cycle starts from all-zero registers
    input  logic                  os_mode,       // 1: output stationary, 0: stationary (WS/IS)
    input  logic [ROWS*IN_W-1:0]  left,          // row i at [i*IN_W +: IN_W], enters column 0
    input  logic [ROWS-1:0]       left_valid,
    input  logic [COLS*IN_W-1:0]  top,           // column j at [j*IN_W +: IN_W], enters row 0
    input  logic [COLS-1:0]       top_valid,
    input  logic                  load_start,    // WS/IS: a ROWS-cycle stationary load starts
    input  logic [COLS-1:0]       drain_start,   // OS: column j starts shifting out its results
    output logic [COLS*ACC_W-1:0] bottom,        // column j at [j*ACC_W +: ACC_W]
    output logic [COLS-1:0]       bottom_valid
);
  // Position counters count 0..ROWS-1.
  localparam int PW = ROWS > 1 ? $clog2(ROWS) : 1;

  logic signed [IN_W-1:0]  a_q   [ROWS][COLS] /*verilator public_flat_rd*/;
  logic signed [IN_W-1:0]  v_q   [ROWS][COLS] /*verilator public_flat_rd*/;
  logic signed [ACC_W-1:0] acc_q [ROWS][COLS] /*verilator public_flat_rd*/;
  logic                    av_q  [ROWS][COLS] /*verilator public_flat_rd*/;
  logic                    vv_q  [ROWS][COLS] /*verilator public_flat_rd*/;
  logic                    pv_q  [ROWS][COLS] /*verilator public_flat_rd*/;
  logic                    load_busy_q /*verilator public_flat_rd*/;  // a stationary load is in progress
  logic [PW-1:0]           load_pos_q;             // its cycle count (rows 0..pos shift)
  logic                    drain_busy_q [COLS];    // column j is draining (OS)
  logic [PW-1:0]           drain_pos_q  [COLS];    // cycles since column j's drain started
  logic signed [ACC_W-1:0] bottom_q [COLS];
  logic                    bottom_valid_q [COLS];

  // One clock edge = one array cycle. The next state (`*_d`, block-local) is computed from the
  // registers and this cycle's inputs inside the clocked block, so a simulator evaluates it once
  // per edge, not on every input change. `clear` makes every register read as zero in this
  // cycle (the SystemC model's reset() before the layer's first step()).
  always_ff @(posedge clk) begin : next_state
    // Block-local next state and temporaries: not in waveforms (the *_q registers are).
    /*verilator tracing_off*/
    logic signed [IN_W-1:0]  a_d   [ROWS][COLS];
    logic signed [IN_W-1:0]  v_d   [ROWS][COLS];
    logic signed [ACC_W-1:0] acc_d [ROWS][COLS];
    logic                    av_d  [ROWS][COLS];
    logic                    vv_d  [ROWS][COLS];
    logic                    pv_d  [ROWS][COLS];
    logic                    load_busy_d;
    logic [PW-1:0]           load_pos_d;
    logic                    drain_busy_d [COLS];
    logic [PW-1:0]           drain_pos_d  [COLS];
    logic signed [ACC_W-1:0] bottom_d [COLS];
    logic                    bottom_valid_d [COLS];
    logic                    load_act, drain_act, shift_v, shift_acc, use_valid;
    int                      load_pos, drain_pos;
    logic signed [IN_W-1:0]  a_mul;
    logic signed [ACC_W-1:0] above, acc_old, prod;
    logic                    av_mul, pv_above, pv_old;
    /*verilator tracing_on*/

    // Stationary load: rows 0..load_pos shift down this cycle, row 0 takes `top`.
    load_act = !os_mode && (load_start || (load_busy_q && !clear));
    load_pos = load_start ? 0 : int'(load_pos_q);
    load_busy_d = load_act && load_pos + 1 < ROWS;
    load_pos_d  = load_busy_d ? PW'(load_pos + 1) : '0;

    for (int j = 0; j < COLS; j++) begin
      // OS drain of column j: PE(i, j) shifts while the drain position is <= i.
      drain_act = os_mode && (drain_start[j] || (drain_busy_q[j] && !clear));
      drain_pos = drain_start[j] ? 0 : int'(drain_pos_q[j]);
      drain_busy_d[j] = drain_act && drain_pos + 1 < ROWS;
      drain_pos_d[j]  = drain_busy_d[j] ? PW'(drain_pos + 1) : '0;

      for (int i = 0; i < ROWS; i++) begin
        // Streamed operand: one PE right. In WS/IS its valid bit enters a PE only while that PE
        // holds a valid stationary value: a fold's operands stop at its last used column.
        a_d[i][j]  = j == 0 ? left[i*IN_W +: IN_W] : (clear ? '0 : a_q[i][j-1]);
        av_d[i][j] = j == 0 ? left_valid[i] : (!clear && av_q[i][j-1] && (os_mode || vv_q[i][j]));
        // Vertical operand: OS every cycle; WS/IS while the load covers row i.
        shift_v    = os_mode || (load_act && i <= load_pos);
        v_d[i][j]  = !shift_v ? (clear ? '0 : v_q[i][j])
                   : i == 0   ? top[j*IN_W +: IN_W]
                              : (clear ? '0 : v_q[i-1][j]);
        vv_d[i][j] = !shift_v ? (!clear && vv_q[i][j])
                   : i == 0   ? top_valid[j]
                              : (!clear && vv_q[i-1][j]);
        // Multiplier inputs: the operands entering the PE this cycle (the fault PE: last cycle's).
        a_mul  = (i == FAULT_ROW && j == FAULT_COL) ? (clear ? '0 : a_q[i][j]) : a_d[i][j];
        av_mul = (i == FAULT_ROW && j == FAULT_COL) ? (!clear && av_q[i][j]) : av_d[i][j];
        prod   = ACC_W'(a_mul) * ACC_W'(v_d[i][j]);
        use_valid = av_mul && vv_d[i][j];
        above    = (i == 0 || clear) ? '0 : acc_q[i-1][j];
        pv_above = i != 0 && !clear && pv_q[i-1][j];
        acc_old  = clear ? '0 : acc_q[i][j];
        pv_old   = !clear && pv_q[i][j];
        // OS: accumulate, or shift down while the column drains (row 0 takes 0).
        // WS/IS: the partial sum from the PE above (of the previous cycle) plus this PE's product.
        shift_acc   = os_mode && drain_act && i >= drain_pos;
        acc_d[i][j] = shift_acc ? above : os_mode ? acc_old + prod : above + prod;
        pv_d[i][j]  = shift_acc ? pv_above : os_mode ? (pv_old || use_valid) : (pv_above || use_valid);
      end

      // Bottom edge: OS emits the bottom accumulator as it was before this cycle (valid while
      // the column drains); WS/IS emit the partial sum leaving the bottom row this cycle.
      bottom_d[j]       = os_mode ? (clear ? '0 : acc_q[ROWS-1][j]) : acc_d[ROWS-1][j];
      bottom_valid_d[j] = os_mode ? (drain_act && !clear && pv_q[ROWS-1][j]) : pv_d[ROWS-1][j];
    end

    a_q            <= a_d;
    v_q            <= v_d;
    acc_q          <= acc_d;
    av_q           <= av_d;
    vv_q           <= vv_d;
    pv_q           <= pv_d;
    load_busy_q    <= load_busy_d;
    load_pos_q     <= load_pos_d;
    drain_busy_q   <= drain_busy_d;
    drain_pos_q    <= drain_pos_d;
    bottom_q       <= bottom_d;
    bottom_valid_q <= bottom_valid_d;
  end

  always_comb begin
    for (int j = 0; j < COLS; j++) begin
      bottom[j*ACC_W +: ACC_W] = bottom_q[j];
      bottom_valid[j]          = bottom_valid_q[j];
    end
  end
endmodule
