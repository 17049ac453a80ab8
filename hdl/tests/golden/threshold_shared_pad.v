// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [95:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [15:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [95:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [15:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    
    // Sub module instances
    bitloom_top$engines$0 engines$0(
        .clk(engines$0$clk),
        .rst(engines$0$rst),
        .in_data(engines$0$in_data),
        .in_valid(engines$0$in_valid),
        .in_ready(engines$0$in_ready),
        .out_data(engines$0$out_data),
        .out_valid(engines$0$out_valid),
        .out_ready(engines$0$out_ready)
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
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [95:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [15:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    
    // Update code (wrapper)
    bitloom_top_thr core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// bitloom multi-threshold unit: out = #{ j : a >= T[ch][j] } + BIAS (or, with BIPOLAR, the one
// step's bit), PE channels of IB bits per beat, K thresholds per channel compared signed at TW
// bits. SHARED: one row for every channel, ROW (K·TW bits, step j at bits j·TW; a single row,
// so that no parameter or literal grows with PE), and a write port of WW = 1 bit that is not
// used; otherwise a memory of NF words of PE·K·TW bits (lane p step j at bits (p·K + j)·TW)
// loaded from MEM_FILE, with a write port (wr_en, wr_addr, wr_data of WW = PE·K·TW bits).
// AW is the channel counter's and address's width, CNT the step counter's
// (hdl/src/blocks/threshold, Params). One beat per cycle; latency 2.
`ifndef BITLOOM_THRESHOLD_V
`define BITLOOM_THRESHOLD_V
module bitloom_threshold #(
  parameter integer PE = 1,
  parameter integer K = 1,
  parameter integer TW = 2,
  parameter integer IB = 1,
  parameter integer OB = 1,
  parameter integer NF = 1,
  parameter integer AW = 1,
  parameter integer CNT = 1,
  parameter integer SIGNED_IN = 0,
  parameter integer BIPOLAR = 1,
  parameter [OB-1:0] BIAS = 0,
  parameter integer SHARED = 1,
  parameter [K*TW-1:0] ROW = 0,
  parameter integer WW = PE*K*TW,
  parameter MEM_FILE = ""
) (
  input  wire clk,
  input  wire rst,
  input  wire [PE*IB-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [PE*OB-1:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [AW-1:0] wr_addr,
  input  wire [WW-1:0] wr_data
);
  reg out_v, v1;
  reg [PE*IB-1:0] d1;
  wire en = !out_v || out_ready;
  assign in_ready = en;
  assign out_valid = out_v;
  wire [PE*K*TW-1:0] t1;
  generate if (SHARED != 0) begin : shared
    // Every lane compares against the same row; a shared unit has no memory to write.
    assign t1 = {PE{ROW}};
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = &{1'b0, wr_en, wr_addr, wr_data};
    /* verilator lint_on UNUSEDSIGNAL */
  end else begin : channels
    localparam [31:0] LAST32 = NF - 1;
    localparam [AW-1:0] LAST = LAST32[AW-1:0];
    (* ram_style = "block" *) reg [PE*K*TW-1:0] tmem [0:NF-1];
`ifdef VERILATOR
    string tmem_dir;
    initial begin
      if (!$value$plusargs("bitloom_mem_dir=%s", tmem_dir)) tmem_dir = ".";
      $readmemh({tmem_dir, "/", MEM_FILE}, tmem);
    end
`else
    initial $readmemh(MEM_FILE, tmem);
`endif
    always @(posedge clk) if (wr_en) tmem[wr_addr] <= wr_data;
    reg [PE*K*TW-1:0] t1r;
    reg [AW-1:0] ch;
    always @(posedge clk) if (rst) ch <= 0; else if (en && in_valid) ch <= (ch == LAST) ? 0 : ch + 1'b1;
    always @(posedge clk) if (en && in_valid) t1r <= tmem[ch];
    assign t1 = t1r;
  end endgenerate
  always @(posedge clk) begin
    if (rst) begin v1 <= 0; out_v <= 0; end
    else if (en) begin v1 <= in_valid; out_v <= v1; end
  end
  always @(posedge clk) if (en && in_valid) d1 <= in_data;
  genvar p;
  generate for (p = 0; p < PE; p = p + 1) begin : lane
    // Lane p's element of d1, sign- or zero-extended to the comparison width.
    wire [IB-1:0] x = d1[p*IB +: IB];
    wire signed [TW-1:0] a;
    if (TW == IB) begin : same
      assign a = x;
    end else if (SIGNED_IN != 0) begin : sext
      assign a = {{(TW-IB){x[IB-1]}}, x};
    end else begin : zext
      assign a = {{(TW-IB){1'b0}}, x};
    end
    reg [CNT-1:0] cnt;
    reg [OB-1:0] res;
    integer j;
    always @* begin
      cnt = 0;
      for (j = 0; j < K; j = j + 1)
        if (a >= $signed(t1[(p*K + j)*TW +: TW])) cnt = cnt + 1'b1;
    end
    wire [OB-1:0] value;
    if (BIPOLAR != 0) begin : bipolar
      assign value = cnt[0];
    end else begin : integer_out
      assign value = cnt + BIAS;
    end
    always @(posedge clk) if (en && v1) res <= value;
    assign out_data[p*OB +: OB] = res;
  end endgenerate
endmodule
`endif
// Threshold unit thr: 10 channels, 1 steps, PE 16, int6 -> bipolar
module bitloom_top_thr (
  input  wire clk,
  input  wire rst,
  input  wire [95:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [15:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  bitloom_threshold #(.PE(16), .K(1), .TW(7), .IB(6), .OB(1), .NF(1), .AW(1), .CNT(1), .SIGNED_IN(1), .BIPOLAR(1), .BIAS(1'd0), .SHARED(1), .ROW(7'h69), .WW(1), .MEM_FILE("")) core (
    .clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(1'b0), .wr_addr(1'd0), .wr_data(1'b0));
endmodule
