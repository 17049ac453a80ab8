// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [17:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [2:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [17:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [2:0] engines$0$out_data;
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
    output wire  [2:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    
    // Update code (wrapper)
    bitloom_top_thr core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule // bitloom_top$engines$0
// Threshold unit thr: 12 channels, 1 steps, PE 3, int6 -> bipolar
module bitloom_top_thr (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [2:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg out_v, v1;
  reg [17:0] d1;
  wire en = !out_v || out_ready;
  assign in_ready = en;
  assign out_valid = out_v;
  wire [20:0] t1 = {3{7'd105}};
  always @(posedge clk) begin
    if (rst) begin v1 <= 0; out_v <= 0; end
    else if (en) begin v1 <= in_valid; out_v <= v1; end
  end
  always @(posedge clk) if (en && in_valid) d1 <= in_data;
  genvar p;
  generate for (p = 0; p < 3; p = p + 1) begin : lane
    wire signed [6:0] a = {{1{d1[p*6 + 5]}}, d1[p*6 +: 6]};
    reg [0:0] cnt;
    reg [0:0] res;
    integer j;
    always @* begin
      cnt = 0;
      for (j = 0; j < 1; j = j + 1)
        if (a >= $signed(t1[(p*1 + j)*7 +: 7])) cnt = cnt + 1'b1;
    end
    wire [0:0] value = cnt[0];
    always @(posedge clk) if (en && v1) res <= value;
    assign out_data[p*1 +: 1] = res;
  end endgenerate
endmodule
