// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [14:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [14:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [14:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [14:0] engines$0$out_data;
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
    input wire  [14:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [14:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    
    // Update code (wrapper)
    bitloom_top_fifo core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// FIFO fifo: 3 x 15 bits
module bitloom_top_fifo (
  input  wire clk,
  input  wire rst,
  input  wire [14:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [14:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg [14:0] mem [0:2];
  reg [1:0] wp, rp;
  reg [1:0] count;
  reg r_valid, o_valid;
  reg [14:0] r_data, o_data;
  wire o_free = !o_valid || out_ready;
  wire r_free = !r_valid || o_free;
  wire rd = (count != 0) && r_free;
  wire wr = in_valid && in_ready;
  assign in_ready = count != 2'd3;
  assign out_valid = o_valid;
  assign out_data = o_data;
  always @(posedge clk) begin
    if (wr) mem[wp] <= in_data;
    if (rd) r_data <= mem[rp];
    if (o_free) o_data <= r_data;
  end
  always @(posedge clk) begin
    if (rst) begin wp <= 0; rp <= 0; count <= 0; r_valid <= 0; o_valid <= 0; end
    else begin
      if (wr) wp <= (wp == 2) ? 0 : wp + 1'b1;
      if (rd) rp <= (rp == 2) ? 0 : rp + 1'b1;
      count <= count + {1'd0, wr} - {1'd0, rd};
      if (r_free) r_valid <= rd;
      if (o_free) o_valid <= r_valid;
    end
  end
endmodule
