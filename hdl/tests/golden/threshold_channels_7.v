// bitloom dataflow "block": 1 engines
/* verilator lint_off DECLFILENAME */


module bitloom_top(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [17:0] in_data;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [8:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Stub signals
    reg  engines$0$clk;
    reg  engines$0$rst;
    reg  [17:0] engines$0$in_data;
    reg  engines$0$in_valid;
    wire  engines$0$in_ready;
    wire  [8:0] engines$0$out_data;
    wire  engines$0$out_valid;
    reg  engines$0$out_ready;
    reg  engines$0$wr_en;
    reg  [1:0] engines$0$wr_addr;
    reg  [146:0] engines$0$wr_data;
    
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
        engines$0$wr_addr = 2'd0;
        engines$0$wr_data = 147'd0;
    end
endmodule // bitloom_top

// v-- Setting output parameters to net type for wrapped code.


module bitloom_top$engines$0(clk,rst,in_data,in_valid,in_ready,out_data,out_valid,out_ready,wr_en,wr_addr,wr_data);
    
    // Module arguments
    input wire  clk;
    input wire  rst;
    input wire  [17:0] in_data;
    input wire  in_valid;
    output wire  in_ready;
    output wire  [8:0] out_data;
    output wire  out_valid;
    input wire  out_ready;
    input wire  wr_en;
    input wire  [1:0] wr_addr;
    input wire  [146:0] wr_data;
    
    // Update code (wrapper)
    bitloom_top_thr core (.clk(clk), .rst(rst), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready), .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready), .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data));
endmodule // bitloom_top$engines$0
// Threshold unit thr: 12 channels, 7 steps, PE 3, int6 -> uint3
module bitloom_top_thr (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [8:0] out_data,
  output wire out_valid,
  input  wire out_ready,
  input  wire wr_en,
  input  wire [1:0] wr_addr,
  input  wire [146:0] wr_data
);
  reg out_v, v1;
  reg [17:0] d1;
  wire en = !out_v || out_ready;
  assign in_ready = en;
  assign out_valid = out_v;
  (* ram_style = "block" *) reg [146:0] tmem [0:3];
`ifdef VERILATOR
  string tmem_dir;
  initial begin
    if (!$value$plusargs("bitloom_mem_dir=%s", tmem_dir)) tmem_dir = ".";
    $readmemh({tmem_dir, "/bitloom_top_thr_t.mem"}, tmem);
  end
`else
  initial $readmemh("bitloom_top_thr_t.mem", tmem);
`endif
  always @(posedge clk) if (wr_en) tmem[wr_addr] <= wr_data;
  reg [146:0] t1;
  reg [1:0] ch;
  always @(posedge clk) if (rst) ch <= 0; else if (en && in_valid) ch <= (ch == 3) ? 0 : ch + 1;
  always @(posedge clk) if (en && in_valid) t1 <= tmem[ch];
  always @(posedge clk) begin
    if (rst) begin v1 <= 0; out_v <= 0; end
    else if (en) begin v1 <= in_valid; out_v <= v1; end
  end
  always @(posedge clk) if (en && in_valid) d1 <= in_data;
  genvar p;
  generate for (p = 0; p < 3; p = p + 1) begin : lane
    wire signed [6:0] a = {{1{d1[p*6 + 5]}}, d1[p*6 +: 6]};
    reg [2:0] cnt;
    reg [2:0] res;
    integer j;
    always @* begin
      cnt = 0;
      for (j = 0; j < 7; j = j + 1)
        if (a >= $signed(t1[(p*7 + j)*7 +: 7])) cnt = cnt + 1'b1;
    end
    wire [2:0] value = cnt + 3'd0;
    always @(posedge clk) if (en && v1) res <= value;
    assign out_data[p*3 +: 3] = res;
  end endgenerate
endmodule
