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

// bitloom dataflow top for "block": 1 engines
module bitloom_top (
  input  wire clk,
  input  wire rst,
  input  wire [8:0] in_data,
  input  wire in_valid,
  output wire in_ready,
  output wire [35:0] out_data,
  output wire out_valid,
  input  wire out_ready
);
  wire [8:0] s0_data; wire s0_valid, s0_ready;
  wire [35:0] s1_data; wire s1_valid, s1_ready;
  assign s0_data = in_data; assign s0_valid = in_valid; assign in_ready = s0_ready;
  assign out_data = s1_data; assign out_valid = s1_valid; assign s1_ready = out_ready;
  bitloom_top_gather u_gather (.clk(clk), .rst(rst), .in_data(s0_data), .in_valid(s0_valid), .in_ready(s0_ready), .out_data(s1_data), .out_valid(s1_valid), .out_ready(s1_ready));
endmodule
