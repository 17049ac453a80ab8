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
  bitloom_top_split u_split (.clk(clk), .rst(rst), .in_data(s0_data), .in_valid(s0_valid), .in_ready(s0_ready), .out_data(s1_data), .out_valid(s1_valid), .out_ready(s1_ready));
endmodule
