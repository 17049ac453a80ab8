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
  wire [17:0] t1 = {3{6'd41}};
  always @(posedge clk) begin
    if (rst) begin v1 <= 0; out_v <= 0; end
    else if (en) begin v1 <= in_valid; out_v <= v1; end
  end
  always @(posedge clk) if (en && in_valid) d1 <= in_data;
  genvar p;
  generate for (p = 0; p < 3; p = p + 1) begin : lane
    wire signed [5:0] a = d1[p*6 +: 6];
    reg [0:0] cnt;
    reg [0:0] res;
    integer j;
    always @* begin
      cnt = 0;
      for (j = 0; j < 1; j = j + 1)
        if (a >= $signed(t1[(p*1 + j)*6 +: 6])) cnt = cnt + 1'b1;
    end
    wire [0:0] value = cnt[0];
    always @(posedge clk) if (en && v1) res <= value;
    assign out_data[p*1 +: 1] = res;
  end endgenerate
endmodule

// bitloom dataflow top for "block": 1 engines
module bitloom_top (
  input  wire clk,
  input  wire rst,
  input  wire [17:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [2:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  wire [17:0] s0_data; wire s0_valid, s0_ready;
  wire [2:0] s1_data; wire s1_valid, s1_ready;
  assign s0_data = in_data; assign s0_valid = in_valid; assign in_ready = s0_ready;
  assign out_data = s1_data; assign out_valid = s1_valid; assign s1_ready = out_ready;
  bitloom_top_thr u_thr (.clk(clk), .rst(rst), .in_data(s0_data), .in_valid(s0_valid), .in_ready(s0_ready), .out_data(s1_data), .out_valid(s1_valid), .out_ready(s1_ready));
endmodule
