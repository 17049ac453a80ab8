// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [8:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [35:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [8:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [35:0] engines$0$out_data;
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
    input wire  [8:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [35:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    
    // Update code (wrapper)
    bitloom_top_gather core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// Width converter gather: 4 x 3 -> 1 x 12 elements
module bitloom_top_gather (
  input  wire clk,
  input  wire rst,
  input  wire [8:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [35:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg [35:0] buffer;
  reg [1:0] idx;
  reg full;
  assign out_valid = full;
  assign out_data = buffer;
  assign in_ready = !full || out_ready;
  always @(posedge clk) begin
    if (rst) begin full <= 0; idx <= 0; end
    else begin
      if (full && out_ready) full <= 0;
      if (in_valid && in_ready) begin
        buffer[idx*9 +: 9] <= in_data;
        if (idx == 3) begin idx <= 0; full <= 1; end else idx <= idx + 1'b1;
      end
    end
  end
endmodule
