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
    bitloom_top_split core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// Width converter split: 2 x 6 -> 6 x 2 elements
module bitloom_top_split (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [5:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg [17:0] buffer;
  reg [1:0] idx;
  reg full;
  wire take = full && out_ready;
  wire last = idx == 2;
  assign out_valid = full;
  assign out_data = buffer[5:0];
  assign in_ready = !full || (take && last);
  always @(posedge clk) begin
    if (rst) begin full <= 0; idx <= 0; end
    else if (in_valid && in_ready) begin buffer <= in_data; full <= 1; idx <= 0; end
    else if (take) begin buffer <= buffer >> 6; idx <= idx + 1'b1; if (last) full <= 0; end
  end
endmodule
