// bitloom matrix-unit control, shared by bitloom_mvu, bitloom_int_mvu and bitloom_shift_mvu (and
// any unit whose lanes add SIMD products per cycle). It owns the weight memory (DEPTH = NF·SF
// words of WW bits loaded from MEM_FILE, word nf·SF + sf, with the write port wr_en, wr_addr,
// wr_data), the SF and NF counters and the weight address, the input buffer (during the first of
// NF passes it takes SF input beats of SIMD IB-bit elements and keeps them; later passes replay
// them) and the operand registers: w1 and x1 are the weight word and input beat of a step, v1
// says they are valid, first1 and last1 that they are the first and last of the SF steps of a
// row group. The lanes outside add when `en && v1` and latch their results when also last1; the
// output register's valid bit is out_valid, set one cycle after such a last step. en is the one
// enable: everything stalls while the output register is full. NF·SF cycles per vector.
// Padding: when SIMD does not divide MW, the columns MW..SF·SIMD-1 of the last step reach x1 as
// code 0 whatever the producer sent, so a lane sees padded elements as zeros (bit 0 for bipolar
// inputs). SW, NW, AW are the counters' widths.
`ifndef BITLOOM_MVU_CTRL_V
`define BITLOOM_MVU_CTRL_V
module bitloom_mvu_ctrl #(
  parameter integer SIMD = 1,
  parameter integer IB = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = SF*SIMD,
  parameter integer WW = 1,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
  parameter MEM_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [SIMD*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [WW-1:0] wr_data,
  output wire en,
  output reg v1,
  output reg first1,
  output reg last1,
  output reg [WW-1:0] w1,
  output reg [SIMD*IB-1:0] x1
);
  localparam [31:0] SF_LAST32 = SF - 1;
  localparam [31:0] NF_LAST32 = NF - 1;
  localparam [31:0] ADDR_LAST32 = DEPTH - 1;
  localparam [SW-1:0] SF_LAST = SF_LAST32[SW-1:0];
  localparam [NW-1:0] NF_LAST = NF_LAST32[NW-1:0];
  localparam [AW-1:0] ADDR_LAST = ADDR_LAST32[AW-1:0];
  (* ram_style = "block" *) reg [WW-1:0] wmem [0:DEPTH-1];
  // Tools that elaborate the module with its default parameters have no file to read.
  generate if (MEM_FILE != "") begin : load
`ifdef VERILATOR
    string wmem_dir;
    initial begin
      if (!$value$plusargs("bitloom_mem_dir=%s", wmem_dir)) wmem_dir = ".";
      $readmemh({wmem_dir, "/", MEM_FILE}, wmem);
    end
`else
    initial $readmemh(MEM_FILE, wmem);
`endif
  end endgenerate
  always @(posedge clk) if (wr_en) wmem[wr_addr] <= wr_data;
  reg [SW-1:0] sf_cnt;
  reg [NW-1:0] nf_cnt;
  reg [AW-1:0] waddr;
  reg out_v;
  assign en = !out_v || out_ready;
  wire first_pass = nf_cnt == 0;
  wire issue = en && (!first_pass || in_valid);
  assign in_ready = en && first_pass;
  assign out_valid = out_v;
  // Control.
  always @(posedge clk) begin
    if (rst) begin
      sf_cnt <= 0; nf_cnt <= 0; waddr <= 0; v1 <= 0; out_v <= 0;
    end else if (en) begin
      v1 <= issue;
      out_v <= v1 && last1;
      if (issue) begin
        waddr <= (waddr == ADDR_LAST) ? 0 : waddr + 1'b1;
        if (sf_cnt == SF_LAST) begin
          sf_cnt <= 0;
          nf_cnt <= (nf_cnt == NF_LAST) ? 0 : nf_cnt + 1'b1;
        end else sf_cnt <= sf_cnt + 1'b1;
      end
    end
  end
  // Memories and operand registers (no reset: block RAM friendly).
  always @(posedge clk) begin
    if (issue) begin
      w1 <= wmem[waddr];
      first1 <= sf_cnt == 0;
      last1 <= sf_cnt == SF_LAST;
    end
  end
  // The beat a step works on: live during the first pass, replayed from the buffer after.
  wire [SIMD*IB-1:0] beat;
  generate if (NF > 1) begin : replay
    reg [SIMD*IB-1:0] ibuf [0:SF-1];
    assign beat = first_pass ? in_data : ibuf[sf_cnt];
    always @(posedge clk) if (issue && first_pass) ibuf[sf_cnt] <= in_data;
  end else begin : direct
    assign beat = in_data;
  end endgenerate
  generate if (SF*SIMD > MW) begin : pad
    // The last step's columns past MW are padding: zero them.
    localparam integer REAL = (MW - (SF-1)*SIMD) * IB;
    wire [SIMD*IB-1:0] keep = {{(SIMD*IB-REAL){1'b0}}, {REAL{1'b1}}};
    always @(posedge clk) if (issue) x1 <= (sf_cnt == SF_LAST) ? (beat & keep) : beat;
  end else begin : whole
    always @(posedge clk) if (issue) x1 <= beat;
  end endgenerate
endmodule
`endif
