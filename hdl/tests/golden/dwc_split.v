// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [17:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [5:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [17:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [5:0] engines$0$out_data;
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
    input wire  [17:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [5:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    
    // Update code (wrapper)
    bitloom_dwc #(.IW(18), .OW(6), .K(3), .KW(2), .SPLIT(1), .NB(2), .KL(3), .BW(1)) core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// bitloom stream width converter between two folds of one vector, one fold a multiple K of the
// other. Split (SPLIT = 1, IW = K·OW): holds one input beat and emits its K slices, lowest
// elements first. Gather (SPLIT = 0, OW = K·IW): collects K input beats into one output beat.
// Padding: when the wider side's fold does not divide the vector, its last beat (of NB per
// vector) holds only KL < K slices' worth of the vector, and the converter emits (split) or
// collects (gather) only those KL, so each side gets its own padded layout; the slots past KL
// are padding. One beat per cycle on the wider side's K-fold; latency 1 cycle. KW is the slice
// counter's width, BW the beat counter's (hdl/src/blocks/dwc, Params).
`ifndef BITLOOM_DWC_V
`define BITLOOM_DWC_V
module bitloom_dwc #(
  parameter integer IW = 8,
  parameter integer OW = 8,
  parameter integer K = 2,
  parameter integer KW = 1,
  parameter integer SPLIT = 1,
  parameter integer NB = 1,
  parameter integer KL = K,
  parameter integer BW = 1
) (
  input  wire clk,
  input  wire rst,
  input  wire [IW-1:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [OW-1:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  localparam [31:0] LAST32 = K - 1;
  localparam [KW-1:0] LAST = LAST32[KW-1:0];
  localparam [31:0] KL_LAST32 = KL - 1;
  localparam [KW-1:0] KL_LAST = KL_LAST32[KW-1:0];
  localparam [31:0] NB_LAST32 = NB - 1;
  localparam [BW-1:0] NB_LAST = NB_LAST32[BW-1:0];
  reg [KW-1:0] idx;
  reg full;
  assign out_valid = full;
  // The wide side's beat within the vector, when its last beat is short.
  reg [BW-1:0] beat;
  wire tail = KL != K && beat == NB_LAST;
  wire next_beat = SPLIT != 0 ? in_valid && in_ready : in_valid && in_ready && idx == (tail ? KL_LAST : LAST);
  always @(posedge clk) begin
    if (rst || KL == K) beat <= 0;
    else if (next_beat) beat <= tail ? 0 : beat + 1'b1;
  end
  generate if (SPLIT != 0) begin : split
    reg [IW-1:0] buffer;
    reg short;
    wire take = full && out_ready;
    wire last = idx == (short ? KL_LAST : LAST);
    assign out_data = buffer[OW-1:0];
    assign in_ready = !full || (take && last);
    always @(posedge clk) begin
      if (rst) begin full <= 0; idx <= 0; short <= 0; end
      else if (in_valid && in_ready) begin buffer <= in_data; full <= 1; idx <= 0; short <= tail; end
      else if (take) begin buffer <= buffer >> OW; idx <= idx + 1'b1; if (last) full <= 0; end
    end
  end else begin : gather
    reg [OW-1:0] buffer;
    assign out_data = buffer;
    assign in_ready = !full || out_ready;
    always @(posedge clk) begin
      if (rst) begin full <= 0; idx <= 0; end
      else begin
        if (full && out_ready) full <= 0;
        if (in_valid && in_ready) begin
          buffer[idx*IW +: IW] <= in_data;
          if (idx == (tail ? KL_LAST : LAST)) begin idx <= 0; full <= 1; end else idx <= idx + 1'b1;
        end
      end
    end
  end endgenerate
endmodule
`endif
