// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [3:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [17:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [3:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [17:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [2:0] engines$0$wr_addr;
    reg  [23:0] engines$0$wr_data;
    
    // Sub module instances
    bitloom_top$engines$0 engines$0(
        .clk(engines$0$clk),
        .rst(engines$0$rst),
        .in_data(engines$0$in_data),
        .in_valid(engines$0$in_valid),
        .in_ready(engines$0$in_ready),
        .out_data(engines$0$out_data),
        .out_valid(engines$0$out_valid),
        .out_ready(engines$0$out_ready),
        .wr_en(engines$0$wr_en),
        .wr_addr(engines$0$wr_addr),
        .wr_data(engines$0$wr_data)
    );
    
    // Update code (custom)
    always @(*) begin
        engines$0$clk = clk;
        engines$0$rst = rst;
        engines$0$in_data = in_data;
        engines$0$in_valid = in_valid;
        in_ready = engines$0$in_ready;
        out_data = engines$0$out_data;
        out_valid = engines$0$out_valid;
        engines$0$out_ready = out_ready;
        engines$0$wr_en = 1'b0;
        engines$0$wr_addr = 3'd0;
        engines$0$wr_data = 24'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [3:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [17:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [2:0] wr_addr;
    input wire  [23:0] wr_data;
    
    // Update code (wrapper)
    bitloom_int_mvu #(.PE(3), .SIMD(4), .SF(3), .NF(2), .MW(12), .WB(2), .IB(1), .OB(6), .CW(6), .PS(5), .BIPOLAR(1), .SIGNED_IN(0), .DEPTH(6), .SW(2), .NW(1), .AW(3), .MEM_FILE("bitloom_top_int_mvu_w.mem")) core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
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
// bitloom matrix-vector unit with signed WB-bit integer weights, PE rows and SIMD columns per
// cycle. Weights: a memory of DEPTH = NF·SF words of PE·SIMD·WB bits loaded from MEM_FILE
// (word nf·SF + sf, lane p, column s at bits (p·SIMD + s)·WB is W[nf·PE + p][sf·SIMD + s], two's
// complement), with a write port (wr_en, wr_addr, wr_data). Control: bitloom_mvu_ctrl
// (hdl/src/blocks/matrix), as in bitloom_mvu. Each cycle every lane adds SIMD products w·x to its
// accumulator: BIPOLAR inputs (1 = +1, 0 = -1) add +w or -w; otherwise x is unsigned or
// (SIGNED_IN) signed and the lane sums bit planes: for activation bit b the weights of the
// columns whose bit b is set, shifted by b (the sign plane of a signed input subtracted), which
// measured no larger than an adder tree of products (hdl/src/blocks/int_mvu). Arithmetic is
// modulo 2^CW, CW >= OB, so the low OB bits are exact. After SF cycles it emits a beat of PE OB-bit
// sums. NF·SF cycles per vector; latency 3 cycles after the last input beat of a row group. One
// enable stalls the whole pipeline while the output register is full. PS is a bit plane's
// width; SW, NW, AW the counters' widths (hdl/src/blocks/int_mvu, Params).
`ifndef BITLOOM_INT_MVU_V
`define BITLOOM_INT_MVU_V
module bitloom_int_mvu #(
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer SF = 1,
  parameter integer NF = 1,
  parameter integer MW = SF*SIMD,
  parameter integer WB = 2,
  parameter integer IB = 1,
  parameter integer OB = 2,
  parameter integer CW = 4,
  parameter integer PS = 3,
  parameter integer DEPTH = 1,
  parameter integer SW = 1,
  parameter integer NW = 1,
  parameter integer AW = 1,
  parameter integer BIPOLAR = 0,
  parameter integer SIGNED_IN = 0,
  parameter MEM_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [SIMD*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [PE*OB-1:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [PE*SIMD*WB-1:0] wr_data
);
  wire en, v1, first1, last1;
  wire [PE*SIMD*WB-1:0] w1;
  wire [SIMD*IB-1:0] x1;
  bitloom_mvu_ctrl #(
    .SIMD(SIMD), .IB(IB), .SF(SF), .NF(NF), .MW(MW), .WW(PE*SIMD*WB), .DEPTH(DEPTH), .SW(SW), .NW(NW), .AW(AW),
    .MEM_FILE(MEM_FILE)
  ) ctrl (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data),
    .en(en), .v1(v1), .first1(first1), .last1(last1), .w1(w1), .x1(x1)
  );
  // Lanes.
  genvar p, e, b;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    reg [CW-1:0] acc;
    reg [CW-1:0] sum;
    reg [OB-1:0] res;
    wire [CW-1:0] step;
    if (BIPOLAR != 0) begin : signed_weights
      // This cycle's SIMD terms +w or -w, each sign-extended to CW bits.
      wire [SIMD*CW-1:0] term;
      for (e = 0; e < SIMD; e = e + 1) begin : column
        wire [WB-1:0] w = w1[(p*SIMD + e)*WB +: WB];
        wire [CW-1:0] we = {{(CW-WB){w[WB-1]}}, w};
        assign term[e*CW +: CW] = x1[e] ? we : -we;
      end
      integer k;
      reg [CW-1:0] tree;
      always @* begin
        tree = {CW{1'b0}};
        for (k = 0; k < SIMD; k = k + 1) tree = tree + term[k*CW +: CW];
      end
      assign step = tree;
    end else begin : bit_planes
      // Plane b: the sum of the weights whose column has activation bit b set.
      wire [IB*CW-1:0] plane;
      for (b = 0; b < IB; b = b + 1) begin : act_bit
        wire [SIMD*PS-1:0] sel;
        for (e = 0; e < SIMD; e = e + 1) begin : column
          wire [WB-1:0] w = w1[(p*SIMD + e)*WB +: WB];
          assign sel[e*PS +: PS] = x1[e*IB + b] ? {{(PS-WB){w[WB-1]}}, w} : {PS{1'b0}};
        end
        integer k;
        reg [PS-1:0] psum;
        always @* begin
          psum = {PS{1'b0}};
          for (k = 0; k < SIMD; k = k + 1) psum = psum + sel[k*PS +: PS];
        end
        wire [CW-1:0] wide = {{(CW-PS){psum[PS-1]}}, psum};
        assign plane[b*CW +: CW] = (SIGNED_IN != 0 && b == IB - 1) ? -(wide << b) : wide << b;
      end
      integer k;
      reg [CW-1:0] tree;
      always @* begin
        tree = {CW{1'b0}};
        for (k = 0; k < IB; k = k + 1) tree = tree + plane[k*CW +: CW];
      end
      assign step = tree;
    end
    always @* sum = (first1 ? {CW{1'b0}} : acc) + step;
    always @(posedge clk) begin
      if (en && v1) begin
        acc <= sum;
        if (last1) res <= sum[OB-1:0];
      end
    end
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
