// Threshold unit thr: 12 channels, 2 steps, PE 3, int6 -> int2
module bitloom_top_thr (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [5:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  reg out_v, v1;
  reg [17:0] d1;
  wire en = !out_v || out_ready;
  assign in_ready = en;
  assign out_valid = out_v;
  (* ram_style = "block" *) reg [41:0] tmem [0:3];
`ifdef VERILATOR
  string tmem_dir;
  initial begin
    if (!$value$plusargs("bitloom_mem_dir=%s", tmem_dir)) tmem_dir = ".";
    $readmemh({tmem_dir, "/bitloom_top_thr_t.mem"}, tmem);
  end
`else
  initial $readmemh("bitloom_top_thr_t.mem", tmem);
`endif
  reg [41:0] t1;
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
    reg [1:0] cnt;
    reg [1:0] res;
    integer j;
    always @* begin
      cnt = 0;
      for (j = 0; j < 2; j = j + 1)
        if (a >= $signed(t1[(p*2 + j)*7 +: 7])) cnt = cnt + 1'b1;
    end
    wire [1:0] value = cnt + 2'd3;
    always @(posedge clk) if (en && v1) res <= value;
    assign out_data[p*2 +: 2] = res;
  end endgenerate
endmodule

// bitloom dataflow top for "block": 1 engines
module bitloom_top (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [5:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  wire [17:0] s0_data; wire s0_valid, s0_ready;
  wire [5:0] s1_data; wire s1_valid, s1_ready;
  assign s0_data = in_data; assign s0_valid = in_valid; assign in_ready = s0_ready;
  assign out_data = s1_data; assign out_valid = s1_valid; assign s1_ready = out_ready;
  bitloom_top_thr u_thr (.clk(clk), .rst(rst), .in_data(s0_data), .in_valid(s0_valid), .in_ready(s0_ready), .out_data(s1_data), .out_valid(s1_valid), .out_ready(s1_ready));
endmodule
