// bitloom board top: 12000000 Hz clock, 115200 baud (divisor 104), 4 LEDs
module bitloom_board (
  input  wire clk,
  input  wire uart_rx,
  output wire uart_tx,
  output wire [3:0] led
);
  wire heartbeat, busy, error;
  bitloom_link link (.clk(clk), .rst_in(1'b0), .uart_rx(uart_rx), .baud_div(16'd104), .uart_tx(uart_tx), .led_heartbeat(heartbeat), .led_busy(busy), .led_error(error), .active());
  assign led[0] = ~heartbeat;
  assign led[1] = busy;
  assign led[2] = ~error;
  assign led[3] = ~1'b0;
endmodule
